from tests.integration.ingest.harness import start_ingest

__all__ = ["start_ingest"]
