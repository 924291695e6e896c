from tests.integration.ingest.harness import start_ingest
from tests.otlp import otlp_collector

__all__ = ["otlp_collector", "start_ingest"]
