"""The alert desk: the one place where the book changes, and what the rest of the service reads
of it. Evaluation and operators' actions take turns (a lock); every change is recorded
(history topic, then live stream) before the next one, then offered to the notifier."""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from opentelemetry import propagate, trace
from prometheus_client import Gauge

from domain.alerts.book import AlertBook
from domain.alerts.model import Alert, AlertChange, AlertKind, Condition, Severity, Silence, State
from services.alerts.notifier import Notifier
from services.alerts.store import AlertStore

TRACER = trace.get_tracer("ioc.alerts")
FIRING = Gauge(
    "ioc_alerts_active",
    "Alerts firing or acknowledged, by kind and severity.",
    ["kind", "severity"],
)
Action = Callable[[AlertBook, datetime], AlertChange]


class AlertDesk:
    def __init__(self, book: AlertBook, store: AlertStore, notifier: Notifier) -> None:
        self._book, self._store, self._notifier = book, store, notifier
        self._turn = asyncio.Lock()

    # --- reading ------------------------------------------------------------------------

    def alerts(
        self,
        state: State | None = None,
        severity: Severity | None = None,
        labels: dict[str, str | None] | None = None,
    ) -> list[Alert]:
        """The alerts with that state, severity and those labels (a None value: any)."""
        wanted = {k: v for k, v in (labels or {}).items() if v is not None}
        return [
            a
            for a in self._book.alerts.values()
            if (state is None or a.state is state)
            and (severity is None or a.severity is severity)
            and all(a.labels.get(k) == v for k, v in wanted.items())
        ]

    def alert(self, fingerprint: str) -> Alert | None:
        return self._book.alerts.get(fingerprint)

    def silences(self, now: datetime | None = None) -> list[Silence]:
        """The silences still in force."""
        at = now or datetime.now(UTC)
        return [s for s in self._book.silences.values() if s.ends_at > at]

    def silenced(self, alert: Alert) -> bool:
        return self._book.silenced(alert, datetime.now(UTC)) is not None

    def active_agencies(self) -> dict[AlertKind, list[str]]:
        """By kind, the agencies with an active alert of that kind (the SLA clocks resolve
        those that have nothing overdue left)."""
        found: dict[AlertKind, list[str]] = {}
        for alert in self._book.alerts.values():
            if alert.active and "agency" in alert.labels:
                found.setdefault(AlertKind(alert.kind), []).append(alert.labels["agency"])
        return found

    # --- changing -----------------------------------------------------------------------

    async def observe(self, conditions: Iterable[Condition], now: datetime | None = None) -> None:
        async with self._turn, self._undone_unless_recorded():
            at = now or datetime.now(UTC)
            changes = [c for c in (self._book.observe(x, at) for x in conditions) if c]
            await self._record(changes)

    async def act(self, action: Action) -> AlertChange:
        """An operator's action on the book (acknowledge, assign, …), recorded like the rest."""
        async with self._turn, self._undone_unless_recorded():
            change = action(self._book, datetime.now(UTC))
            await self._record([change])
            return change

    @asynccontextmanager
    async def _undone_unless_recorded(self) -> AsyncIterator[None]:
        """A change the history topic did not take is taken back from the book too, so the
        next evaluation makes it again (else it would live in memory only, lost on restart)."""
        alerts, silences = dict(self._book.alerts), dict(self._book.silences)
        try:
            yield
        except BaseException:
            self._book.alerts, self._book.silences = alerts, silences
            raise

    async def _record(self, changes: list[AlertChange]) -> None:
        if not changes:
            return
        _trace(changes)
        await self._store.record(changes)
        self._notifier.offer(changes)
        counts: dict[tuple[str, str], int] = {}
        for alert in self._book.alerts.values():
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
            span.set_attribute("ioc.alert.kind", change.alert.kind)
            span.set_attribute("ioc.alert.fingerprint", change.alert.fingerprint)
        span.end()
