"""The alert desk: the one place where the book changes. Evaluation and operators' actions take
turns (a lock), and every change is recorded (history topic, read model, live stream) before
the next one, then handed to the notifier."""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from opentelemetry import propagate, trace
from prometheus_client import Gauge

from domain.alerts.book import AlertBook
from domain.alerts.model import Alert, AlertChange, Condition
from services.alerts.notifier import Notifier
from services.alerts.store import AlertStore

TRACER = trace.get_tracer("ioc.alerts")
FIRING = Gauge(
    "ioc_alerts_active",
    "Alerts firing or acknowledged, by kind and severity.",
    ["kind", "severity"],
)


class AlertDesk:
    def __init__(self, book: AlertBook, store: AlertStore, notifier: Notifier) -> None:
        self.book, self._store, self._notifier = book, store, notifier
        self._turn = asyncio.Lock()

    async def observe(self, conditions: Iterable[Condition], now: datetime | None = None) -> None:
        async with self._turn, self._undone_unless_recorded():
            at = now or datetime.now(UTC)
            changes = [c for c in (self.book.observe(x, at) for x in conditions) if c]
            await self._record(changes)

    async def act(self, action: Callable[[AlertBook, datetime], AlertChange]) -> AlertChange:
        """An operator's action on the book (acknowledge, assign, …), recorded like the rest."""
        async with self._turn, self._undone_unless_recorded():
            change = action(self.book, datetime.now(UTC))
            await self._record([change])
            return change

    @asynccontextmanager
    async def _undone_unless_recorded(self) -> AsyncIterator[None]:
        """A change the history topic did not take is taken back from the book too, so the
        next evaluation makes it again (else it would live in memory only, lost on restart)."""
        alerts, silences = dict(self.book.alerts), dict(self.book.silences)
        try:
            yield
        except BaseException:
            self.book.alerts, self.book.silences = alerts, silences
            raise

    def silenced(self, alert: Alert) -> bool:
        return self.book.silenced(alert, datetime.now(UTC)) is not None

    async def _record(self, changes: list[AlertChange]) -> None:
        if not changes:
            return
        _trace(changes)
        await self._store.record(changes)
        self._notifier.offer(changes)
        counts: dict[tuple[str, str], int] = {}
        for alert in self.book.alerts.values():
            if alert.active:
                key = (alert.kind, alert.severity.value)
                counts[key] = counts.get(key, 0) + 1
        FIRING.clear()
        for (kind, severity), count in counts.items():
            FIRING.labels(kind, severity).set(count)


def _trace(changes: list[AlertChange]) -> None:
    """A span per change, child of the event that caused it when known: the trace runs from
    the agency's request through Kafka to the alert."""
    for change in changes:
        parent = (
            propagate.extract({"traceparent": change.trace_parent}) if change.trace_parent else None
        )
        span = TRACER.start_span(f"alert.{change.action}", context=parent)
        if change.alert is not None:
            span.set_attribute("ioc.alert.fingerprint", change.alert.fingerprint)
            span.set_attribute("ioc.alert.kind", change.alert.kind)
        span.end()
