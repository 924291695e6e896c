"""Shared plumbing of the IOC services (settings, Kafka clients) and the `ioc` command line."""
