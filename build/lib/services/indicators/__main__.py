"""`python -m services.indicators worker` runs the faust worker; `... api` the read API."""

import sys

import faust
from prometheus_client import start_http_server

from ioc.serve import configure_logging, serve
from ioc.telemetry import configure_tracing
from services.indicators.settings import IndicatorsSettings


def main() -> None:
    configure_logging()
    settings = IndicatorsSettings()
    role = sys.argv[1] if len(sys.argv) > 1 else "worker"
    if role == "api":
        from services.indicators.api import create_api

        serve(create_api(settings), settings.host, settings.port)
    elif role == "worker":
        from services.indicators.worker import create_worker

        configure_tracing("ioc-indicators")
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        start_http_server(settings.metrics_port, settings.host)
        worker = faust.Worker(create_worker(settings), loglevel="WARNING")
        # No terminal spinner: it sets the root logger to DEBUG (every aiokafka debug line is
        # then formatted: a tenth of the worker's CPU) and writes escape codes into the log.
        worker.spinner = None
        worker.execute_from_commandline()
    else:
        sys.exit(f"usage: python -m services.indicators worker|api (got {role!r})")


if __name__ == "__main__":
    main()
