"""The evaluator: follows the KPI snapshots (the targets' series) and the dossier and feedback
events (the SLA clocks), re-assesses the targets they touch with the targets domain, and hands
the resulting conditions to the desk. A sweep re-assesses everything as the days pass."""

import asyncio
import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime

import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, TopicPartition
from opentelemetry import trace
from prometheus_client import Counter, Gauge, Histogram

from catalog import Province
from catalog.plans import Plan, Target
from contracts import from_kafka_record
from contracts.kpi import KpiSnapshot, org_scope
from contracts.periods import Granularity, granularity, period_bounds
from domain.alerts.clocks import OpenItem, clock_of, dossier_key
from domain.alerts.model import AlertKind, Condition
from domain.alerts.rules import overdue_conditions, target_conditions
from domain.calendar import VIETNAM
from domain.targets.assess import Assessment, Observation, TargetStatus, assess
from domain.targets.explain import explain
from infra.deadletters import DeadLetters, unreadable
from infra.kafka import Consumed
from services.alerts.desk import AlertDesk

log = logging.getLogger(__name__)
TRACER = trace.get_tracer("ioc.alerts")
TARGETS = Gauge("ioc_targets", "Targets of the plan by forecast status.", ["status"])
# Bounded: one series per target of the plan. Grafana sets them side by side (KPIs vs targets).
TARGET_LATEST = Gauge(
    "ioc_target_latest_value", "Latest value of each target's indicator.", ["target"]
)
TARGET_MILESTONE = Gauge(
    "ioc_target_milestone_value", "Value each target must reach at its next deadline.", ["target"]
)
TARGET_PROJECTED = Gauge(
    "ioc_target_projected_value", "Forecast of each target's indicator at its deadline.", ["target"]
)
ASSESSMENT_FAILURES = Counter(
    "ioc_alerts_assessment_failures", "Target assessments that raised (logged; verdict kept)."
)
EVALUATION_SECONDS = Histogram(
    "ioc_alerts_evaluation_duration_seconds", "Time to assess targets and record the changes."
)


CLOCKS = ((AlertKind.DOSSIERS_OVERDUE, "dossier"), (AlertKind.FEEDBACK_OVERDUE, "feedback"))


@dataclass(frozen=True)
class TargetView:
    target: Target
    assessment: Assessment
    explanation: tuple[str, str]
    series: tuple[Observation, ...]


class Evaluator:
    def __init__(
        self,
        plan: Plan,
        province: Province,
        desk: AlertDesk,
        redis: aioredis.Redis,
        prefix: str,
        dead_letters: DeadLetters,
        today: date | None = None,
    ) -> None:
        self.plan, self.province, self._desk = plan, province, desk
        self._dead_letters = dead_letters
        self._redis, self._open_key = redis, f"{prefix}open-items"
        self._today = today
        self._wanted = {(t.indicator, org_scope(t.scope)) for t in plan.targets}
        self._series: dict[tuple[str, str], dict[str, float]] = {}
        self._trace_parents: dict[tuple[str, str], str] = {}
        self._updated: dict[str, datetime] = {}  # by KPI key: the newest snapshot taken
        self.views: dict[str, TargetView] = {}
        self._open: dict[str, OpenItem] = {}
        self._agency_names = {a.code: (a.name_vi, a.name_en) for a in province.agencies.values()}

    def today(self) -> date:
        return self._today or datetime.now(VIETNAM).date()

    # --- the targets' series, from the snapshot topic -------------------------------------

    def take_snapshots(
        self, snapshots: Iterable[tuple[KpiSnapshot, str | None]]
    ) -> set[tuple[str, str]]:
        """Snapshots with the W3C context they were published in (the event behind them)."""
        touched = set()
        for s, trace_parent in snapshots:
            key = (s.indicator, s.scope)
            if key in self._wanted and s.value is not None and self._newest(s):
                self._series.setdefault(key, {})[s.period] = s.value
                if trace_parent:
                    self._trace_parents[key] = trace_parent
                touched.add(key)
        return touched

    def _newest(self, snapshot: KpiSnapshot) -> bool:
        """Whether the snapshot is newer than any seen of its KPI: two workers may publish
        one KPI, and the broker may take the older value last."""
        seen = self._updated.get(snapshot.key())
        if seen is not None and snapshot.updated_at < seen:
            return False
        self._updated[snapshot.key()] = snapshot.updated_at
        return True

    async def assess_targets(self, which: set[tuple[str, str]] | None = None) -> None:
        with EVALUATION_SECONDS.time(), TRACER.start_as_current_span("alerts.assess_targets"):
            conditions: list[Condition] = []
            for target in self.plan.targets:
                if which is None or (target.indicator, org_scope(target.scope)) in which:
                    try:
                        conditions += self._assess(target)
                    except Exception:  # one target's fault must not stop the others' verdicts
                        log.exception("target %s not assessed: its last verdict stays", target.id)
                        ASSESSMENT_FAILURES.inc()
            await self._desk.observe(conditions)
            counts: dict[str, int] = {s.value: 0 for s in TargetStatus}
            for view in self.views.values():
                counts[view.assessment.status.value] += 1
                _export(view)
            for status, count in counts.items():
                TARGETS.labels(status).set(count)

    def _assess(self, target: Target) -> list[Condition]:
        indicator = self.plan.indicators[target.indicator]
        key = (target.indicator, org_scope(target.scope))
        series = _observations(self._series.get(key, {}))
        previous = self.views.get(target.id)
        status = previous.assessment.status if previous else None
        assessment = assess(target, indicator, series, self.today(), status)
        explanation = explain(target, indicator, assessment)
        self.views[target.id] = TargetView(target, assessment, explanation, tuple(series))
        conditions = target_conditions(target, indicator, assessment, explanation)
        trace_parent = self._trace_parents.get(key)
        return [c.model_copy(update={"trace_parent": trace_parent}) for c in conditions]

    # --- SLA clocks, from the dossier and feedback events ---------------------------------

    async def load_open_items(self) -> None:
        stored = await self._redis.hgetall(self._open_key)
        renamed: list[tuple[str, str, bytes | str]] = []  # old key, new key, value
        for key, value in stored.items():
            fields = json.loads(value)
            fields["due"] = datetime.fromisoformat(fields["due"])
            item = OpenItem(**fields)
            name = _text(key)
            if item.kind == "dossier" and name == f"dossier:{item.id}":  # keyed by id alone
                renamed.append((name, dossier_key(item.agency, item.id), value))
                name = renamed[-1][1]
            self._open[name] = item
        if renamed:  # kept under their agency's key from now on
            pipe = self._redis.pipeline(transaction=True)
            for old, new, value in renamed:
                pipe.hset(self._open_key, new, value)
                pipe.hdel(self._open_key, old)
            await pipe.execute()

    async def take_events(self, records: Iterable[Consumed]) -> None:
        changed: dict[str, OpenItem | None] = {}
        failed: list[tuple[Consumed, str]] = []
        for record in records:
            try:
                clock = clock_of(from_kafka_record(record.value or b"", record.headers))
            except Exception as e:  # only that record's: it goes to the dead letters
                failed.append((record, unreadable(e)))
                continue
            if clock is not None:
                key, item = clock
                parent = _trace_parent(record.headers)
                changed[key] = replace(item, trace_parent=parent) if item else None
        await self._dead_letters.send(failed)
        if not changed:
            return
        pipe = self._redis.pipeline(transaction=False)
        for key, item in changed.items():
            if item is None:
                self._open.pop(key, None)
                pipe.hdel(self._open_key, key)
            else:
                self._open[key] = item
                fields = asdict(item) | {"due": item.due.isoformat()}
                pipe.hset(self._open_key, key, json.dumps(fields))
        await pipe.execute()

    async def check_clocks(self) -> None:
        now = datetime.now(UTC)
        conditions: list[Condition] = []
        for kind, item_kind in CLOCKS:
            active = [
                a.labels["agency"]
                for a in self._desk.book.alerts.values()
                if a.active and a.kind == kind
            ]
            items = (i for i in self._open.values() if i.kind == item_kind)
            conditions += overdue_conditions(kind, items, now, self._agency_names, active)
        await self._desk.observe(conditions, now)

    # --- the loops ------------------------------------------------------------------------

    async def follow_snapshots(self, consumer: AIOKafkaConsumer, caught_up: asyncio.Event) -> None:
        """From the start of the compacted topic (the series), then live. Caught up once the
        topic's end as it was at start is reached: under a steady load it never runs dry."""
        history_end: dict[TopicPartition, int] = {}
        while True:
            batch = await consumer.getmany(timeout_ms=200, max_records=5000)
            touched = self.take_snapshots(await self._readable_snapshots(batch.values()))
            if not caught_up.is_set():
                history_end = history_end or await consumer.end_offsets(consumer.assignment())
                if history_end and await _reached(consumer, history_end):
                    await self.assess_targets()
                    caught_up.set()
                continue
            if touched:
                await self.assess_targets(touched)

    async def follow_events(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            if batch:
                await self.take_events(r for records in batch.values() for r in records)
                await consumer.commit()

    async def _readable_snapshots(
        self, batches: Iterable[Sequence[Consumed]]
    ) -> list[tuple[KpiSnapshot, str | None]]:
        """The batch's snapshots; one that is not a valid snapshot goes to the dead letters."""
        snapshots, failed = [], []
        for records in batches:
            for record in records:
                if record.value is None:
                    continue  # a tombstone: nothing to take
                try:
                    snapshot = KpiSnapshot.model_validate_json(record.value)
                except ValueError as e:
                    failed.append((record, unreadable(e)))
                    continue
                snapshots.append((snapshot, _trace_parent(record.headers)))
        await self._dead_letters.send(failed)
        return snapshots

    async def sweep(self, every: float, caught_up: asyncio.Event) -> None:
        await caught_up.wait()
        while True:
            started = time.monotonic()
            await self.assess_targets()
            await self.check_clocks()
            await asyncio.sleep(max(0.0, every - (time.monotonic() - started)))


def _export(view: TargetView) -> None:
    target, assessment = view.target.id, view.assessment
    for gauge, value in (
        (TARGET_LATEST, assessment.latest.value if assessment.latest else None),
        (TARGET_MILESTONE, assessment.milestone.value),
        (TARGET_PROJECTED, assessment.projected),
    ):
        if value is not None:
            gauge.labels(target).set(value)


def _trace_parent(headers: Iterable[tuple[str, bytes]]) -> str | None:
    return next((v.decode() for k, v in headers if k == "traceparent"), None)


def _observations(values: dict[str, float]) -> list[Observation]:
    """The finest periods reported: months, else quarters, else years."""
    by_granularity: dict[Granularity, dict[str, float]] = {g: {} for g in Granularity}
    for period, value in values.items():
        by_granularity[granularity(period)][period] = value
    chosen = next((found for found in by_granularity.values() if found), {})
    return sorted(
        (Observation(*period_bounds(p), v) for p, v in chosen.items()), key=lambda o: o.end
    )


async def _reached(consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> bool:
    for partition, offset in offsets.items():
        if await consumer.position(partition) < offset:
            return False
    return True


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
