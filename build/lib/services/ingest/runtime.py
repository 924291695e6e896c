"""What a request handler needs, built once per process by the composition root (app.py)."""

from dataclasses import dataclass

from opentelemetry import trace

from services.ingest.auth import Authenticator
from services.ingest.binding import Limits
from services.ingest.dedup import DedupStore
from services.ingest.intake import Intake
from services.ingest.metrics import IngestMetrics
from services.ingest.publisher import KafkaPublisher
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
