"""`python -m services.ingest`: serve the ingest API with the settings from the environment."""

import logging

import uvicorn

from services.ingest.app import create_app
from services.ingest.settings import IngestSettings


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = IngestSettings()  # required values come from the environment
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
