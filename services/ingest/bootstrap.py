"""The ingest service composed, in one place: Redis, the publisher's producer (made from the
settings unless a test hands one in), the dedup store and the rate limiter on Redis, the
authenticator over the agency registry and the province's authorities, and the intake they
serve; started, and stopped again."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import redis.asyncio as aioredis
from opentelemetry import trace

from catalog.authority import of_province
from infra.producing import RenewableProducer
from services.ingest.auth import AgencyRegistry, Authenticator, JwtVerifier
from services.ingest.binding import Limits
from services.ingest.dedup import DedupStore
from services.ingest.intake import Intake
from services.ingest.metrics import IngestMetrics
from services.ingest.publisher import KafkaPublisher, publisher_producer
from services.ingest.ratelimit import RateLimiter
from services.ingest.settings import IngestSettings


@dataclass
class Runtime:
    """What a request handler needs, built once per process."""

    settings: IngestSettings
    authenticator: Authenticator
    limits: Limits
    limiter: RateLimiter
    intake: Intake
    dedup: DedupStore
    publisher: KafkaPublisher
    metrics: IngestMetrics
    tracer: trace.Tracer


@asynccontextmanager
async def running(
    settings: IngestSettings, metrics: IngestMetrics, producer: RenewableProducer | None = None
) -> AsyncIterator[Runtime]:
    redis = aioredis.Redis.from_url(settings.redis_url, socket_timeout=5)
    timeout = settings.ack_timeout_seconds
    publisher = KafkaPublisher(
        producer or publisher_producer(settings.kafka_bootstrap_servers, timeout),
        timeout,
        metrics.produce_seconds,
        settings.topic_prefix,
    )
    keys = f"ioc:ingest:{settings.topic_prefix}"  # Redis keys isolated as topics are
    dedup = DedupStore(
        redis,
        retention_seconds=settings.dedup_retention_seconds,
        pending_seconds=int(timeout * 4) + 5,
        owner_retention_seconds=settings.owner_retention_seconds,
        prefix=keys,
    )
    limiter = RateLimiter(
        redis, settings.rate_limit_events_per_second, settings.rate_limit_burst, prefix=keys
    )
    limits = Limits(settings.max_event_bytes, settings.max_batch_bytes, settings.max_batch_events)
    publisher.start()
    try:
        yield Runtime(
            settings=settings,
            authenticator=authenticator(settings),
            limits=limits,
            limiter=limiter,
            intake=Intake(dedup, publisher, in_flight_wait_seconds=timeout),
            dedup=dedup,
            publisher=publisher,
            metrics=metrics,
            tracer=trace.get_tracer("ioc.ingest"),
        )
    finally:
        await publisher.stop()
        await redis.aclose()


def authenticator(settings: IngestSettings) -> Authenticator:
    verifier = None
    if settings.jwks_url and settings.jwt_issuer:
        verifier = JwtVerifier(settings.jwks_url, settings.jwt_issuer, settings.jwt_audience)
    registry = AgencyRegistry.from_file(settings.agencies_file, of_province(settings.province))
    return Authenticator(registry, verifier)
