"""`python -m services.ingest`: serve the ingest API with the settings from the environment."""

from infra.serve import configure_logging, serve
from infra.workers import serve_workers
from services.ingest.app import create_app
from services.ingest.settings import IngestSettings


def main() -> None:
    configure_logging()
    settings = IngestSettings()  # required values come from the environment
    if settings.workers == 1:
        serve(create_app(settings), settings.host, settings.port)
    else:
        serve_workers(
            "services.ingest.app:from_environment",
            settings.host,
            settings.port,
            settings.workers,
            settings.metrics_port,
        )


if __name__ == "__main__":
    main()
