"""`python -m services.ingest`: serve the ingest API with the settings from the environment."""

from ioc.serve import configure_logging, serve
from services.ingest.app import create_app
from services.ingest.settings import IngestSettings


def main() -> None:
    configure_logging()
    settings = IngestSettings()  # required values come from the environment
    serve(create_app(settings), settings.host, settings.port)


if __name__ == "__main__":
    main()
