"""The ingest service's Prometheus metrics, declared in one place."""

from prometheus_client import CollectorRegistry, Counter, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.events = Counter(
            "ioc_ingest_events",
            "Events received, by event type, agency and outcome "
            "(accepted, duplicate, rejected, retry, unavailable).",
            ["type", "agency", "outcome"],
            registry=registry,
        )
        self.requests = Counter(
            "ioc_ingest_requests",
            "HTTP requests to POST /v1/events by binding mode and status code.",
            ["mode", "code"],
            registry=registry,
        )
        self.request_seconds = Histogram(
            "ioc_ingest_request_duration_seconds",
            "Time to answer POST /v1/events, by binding mode.",
            ["mode"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.produce_seconds = Histogram(
            "ioc_ingest_produce_duration_seconds",
            "Time from handing a request's events to Kafka until every one was acknowledged.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
