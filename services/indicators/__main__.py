"""`python -m services.indicators worker` runs the worker; `... api` the read API."""

import asyncio
import sys

from prometheus_client import start_http_server

from infra.serve import configure_logging, serve
from infra.telemetry import configure_tracing
from services.indicators.settings import IndicatorsSettings


def main() -> None:
    configure_logging()
    settings = IndicatorsSettings()
    role = sys.argv[1] if len(sys.argv) > 1 else "worker"
    if role == "api":
        from services.indicators.api import create_api

        serve(create_api(settings), settings.host, settings.port)
    elif role == "worker":
        from services.indicators.bootstrap import run_worker

        configure_tracing("ioc-indicators")
        start_http_server(settings.metrics_port, settings.host)
        asyncio.run(run_worker(settings))
    else:
        sys.exit(f"usage: python -m services.indicators worker|api (got {role!r})")


if __name__ == "__main__":
    main()
