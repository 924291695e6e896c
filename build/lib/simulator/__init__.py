"""The province simulator: a realistic year of a province's events, published through the
ingest API as the agencies' systems would (`ioc simulate`)."""
