"""Ingest service: agencies publish CloudEvents over HTTP, durably and safely, into Kafka."""
