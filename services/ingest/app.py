"""The ingest service's HTTP app: POST /v1/events and the probes, around the runtime that
bootstrap.py composes. Nothing connects at import time; clients start in the lifespan."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, start_http_server

from infra.http import new_app
from infra.producing import RenewableProducer
from infra.serve import configure_logging, tune_garbage_collector
from infra.telemetry import configure_tracing
from services.ingest import api
from services.ingest.bootstrap import running
from services.ingest.metrics import IngestMetrics
from services.ingest.openapi import SUMMARY, TITLE, VERSION, document
from services.ingest.settings import IngestSettings


def create_app(
    settings: IngestSettings,
    *,
    serve_metrics: bool = True,
    producer: RenewableProducer | None = None,
) -> FastAPI:
    configure_tracing("ioc-ingest")
    registry = CollectorRegistry()
    metrics = IngestMetrics(registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One of several worker processes does not: their supervisor serves their metrics.
        server = (
            start_http_server(settings.metrics_port, settings.host, registry)[0]
            if serve_metrics
            else None
        )
        try:
            async with running(settings, metrics, producer) as runtime:
                app.state.runtime = runtime
                yield
        finally:
            if server:
                server.shutdown()

    # The events route reads its body itself: its document is written, not derived.
    described = document(settings.max_batch_events)
    app = new_app(TITLE, VERSION, lifespan, [api.router], described, SUMMARY)
    app.state.metrics_registry = registry
    return app


def from_environment() -> FastAPI:
    """The app of one of several worker processes (INGEST_WORKERS > 1): its metrics are served
    by the process that supervises the workers."""
    configure_logging()
    app = create_app(IngestSettings(), serve_metrics=False)
    tune_garbage_collector()  # the app is built: what it made at start-up is frozen
    return app
