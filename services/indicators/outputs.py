"""Where a batch's results go besides the state: KPI snapshots to the compacted snapshot topic
(the alert service's input), unreadable records to the dead-letter topic with the reason."""

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from prometheus_client import Gauge

from contracts.kpi import indicator_of
from infra.deadletters import dead_letter
from infra.producing import OutgoingRecord
from services.indicators.processor import Record, Stored, Traces
from services.indicators.readmodel import to_snapshot

log = logging.getLogger(__name__)
TRACER = trace.get_tracer("ioc.indicators")

# Bounded labels: the province's yearly values only (indicators × years); the rest is in the API.
PROVINCE_KPI = Gauge(
    "ioc_kpi_value",
    "Latest province-wide value of each indicator for the year to date.",
    ["indicator", "year"],
)

SendAll = Callable[[Sequence[OutgoingRecord]], Awaitable[None]]


class KafkaOutputs:
    """Queues records and sends them on flush(), which returns once the broker acknowledged
    each of them."""

    def __init__(
        self,
        send_all: SendAll,
        snapshot_topic: str,
        dead_letter_topic: str,
        consumer: str,
        province_scope: str,
        factors: Mapping[str, float],
    ) -> None:
        self._send_all, self._province_scope = send_all, province_scope
        self._factors = factors
        self._snapshot_topic, self._dead_letter_topic = snapshot_topic, dead_letter_topic
        self._consumer = consumer
        self._queued: list[OutgoingRecord] = []

    async def publish(self, rows: Mapping[str, Stored], traces: Traces) -> None:
        snapshots = [
            to_snapshot(kpi, row, self._factors.get(indicator_of(kpi), 100.0), updated_at)
            for kpi, (row, updated_at) in rows.items()
        ]
        for s in snapshots:
            if s.scope == self._province_scope and len(s.period) == 4 and s.value is not None:
                PROVINCE_KPI.labels(s.indicator, s.period).set(s.value)
        headers = {indicator: _publish_span(context) for indicator, context in traces.items()}
        self._queued += [
            (
                self._snapshot_topic,
                s.key().encode(),
                s.model_dump_json().encode(),
                headers.get(s.indicator, ()),
            )
            for s in snapshots
        ]

    async def dead_letter(self, record: Record, reason: str) -> None:
        self._queued.append(dead_letter(record, reason, self._consumer, self._dead_letter_topic))

    async def flush(self) -> None:
        queued, self._queued = self._queued, []
        if queued:
            await self._send_all(queued)


def _publish_span(context: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """A producer span continuing the trace of the event behind an indicator's snapshots; its
    context goes into their headers, so the alert they cause joins the same trace."""
    parent = propagate.extract({k: v.decode() for k, v in context})
    with TRACER.start_as_current_span("kpi.snapshot publish", parent, SpanKind.PRODUCER):
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
    return [(k, v.encode()) for k, v in carrier.items()]
