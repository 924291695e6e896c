"""How every IOC process starts: one log format, and HTTP served the same way everywhere."""

import logging

import uvicorn
from fastapi import FastAPI


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def serve(app: FastAPI, host: str, port: int) -> None:
    # Access logs off: request metrics carry that, and a log line per event request is noise.
    # Open live streams (SSE) would hold a graceful shutdown forever: bounded.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
