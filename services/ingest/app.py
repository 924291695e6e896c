"""The ingest service's composition root: settings in, a FastAPI app out. Nothing connects at
import time; clients start in the lifespan."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from fastapi import FastAPI
from opentelemetry import trace
from prometheus_client import CollectorRegistry, start_http_server

from catalog.authority import of_province
from infra.http import new_app
from infra.serve import configure_logging, tune_garbage_collector
from infra.telemetry import configure_tracing
from services.ingest import api
from services.ingest.auth import AgencyRegistry, Authenticator, JwtVerifier
from services.ingest.binding import Limits
from services.ingest.dedup import DedupStore
from services.ingest.intake import Intake
from services.ingest.metrics import IngestMetrics
from services.ingest.openapi import SUMMARY, TITLE, VERSION, document
from services.ingest.publisher import KafkaPublisher, publisher_producer
from services.ingest.ratelimit import RateLimiter
from services.ingest.runtime import Runtime
from services.ingest.settings import IngestSettings

log = logging.getLogger(__name__)


def create_app(settings: IngestSettings, *, serve_metrics: bool = True) -> FastAPI:
    configure_tracing("ioc-ingest")
    registry = CollectorRegistry()
    metrics = IngestMetrics(registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = aioredis.Redis.from_url(settings.redis_url, socket_timeout=5)
        publisher = KafkaPublisher(
            publisher_producer(settings.kafka_bootstrap_servers, settings.ack_timeout_seconds),
            settings.ack_timeout_seconds,
            metrics.produce_seconds,
            settings.topic_prefix,
        )
        keys = f"ioc:ingest:{settings.topic_prefix}"  # Redis keys isolated as topics are
        dedup = DedupStore(
            redis,
            retention_seconds=settings.dedup_retention_seconds,
            pending_seconds=int(settings.ack_timeout_seconds * 4) + 5,
            owner_retention_seconds=settings.owner_retention_seconds,
            prefix=keys,
        )
        app.state.runtime = Runtime(
            settings=settings,
            authenticator=_authenticator(settings),
            limits=Limits(
                settings.max_event_bytes, settings.max_batch_bytes, settings.max_batch_events
            ),
            limiter=RateLimiter(
                redis,
                settings.rate_limit_events_per_second,
                settings.rate_limit_burst,
                prefix=keys,
            ),
            intake=Intake(dedup, publisher, in_flight_wait_seconds=settings.ack_timeout_seconds),
            dedup=dedup,
            publisher=publisher,
            metrics=metrics,
            tracer=trace.get_tracer("ioc.ingest"),
        )
        metrics_server = (
            start_http_server(settings.metrics_port, settings.host, registry)
            if serve_metrics
            else None
        )
        publisher.start()
        try:
            yield
        finally:
            await publisher.stop()
            await redis.aclose()
            if metrics_server:
                metrics_server[0].shutdown()

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


def _authenticator(settings: IngestSettings) -> Authenticator:
    verifier = None
    if settings.jwks_url and settings.jwt_issuer:
        verifier = JwtVerifier(settings.jwks_url, settings.jwt_issuer, settings.jwt_audience)
    registry = AgencyRegistry.from_file(settings.agencies_file, of_province(settings.province))
    return Authenticator(registry, verifier)
