"""Batches of records in, each record applied exactly once to the KPI state; snapshots of the
KPIs they changed out when the worker publishes (every few batches: a KPI touched by many
batches in between goes out once). Talks to the state and to the outputs through two small
protocols, so it is tested without Kafka or Redis.

Exactly once: the state keeps the last offset applied per source partition and takes a batch
only if that progress is still what was read (see state.py); records at or below it are
redeliveries and skipped, though their KPIs are published again (the worker may have died
between the state and the snapshot topic: its offsets are committed only after publishing)."""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import ValidationError

from catalog import Province
from contracts import from_kafka_record
from kpi.contributions import Change, Counting
from kpi.definitions import DerivedIndicator
from kpi.rows import Row, deltas

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Sequence[tuple[str, bytes]]

    @property
    def source(self) -> str:
        return f"{self.topic}/{self.partition}"


@dataclass(slots=True)
class Outcome:
    applied: int = 0
    redelivered: int = 0
    dead_letters: int = 0
    holes: list[str] = field(default_factory=list)  # "topic/partition@offset" not seen


class KpiState(Protocol):
    async def progress(self, sources: list[str]) -> dict[str, int]: ...
    async def apply(
        self, expected: Mapping[str, int], last: Mapping[str, int], deltas: Mapping[str, Row]
    ) -> bool: ...
    async def stored(self, kpis: list[str]) -> dict[str, Row]: ...


# The W3C trace context of the latest event that changed an indicator in a batch, by indicator.
Traces = Mapping[str, Sequence[tuple[str, bytes]]]
TRACE_HEADERS = frozenset({"traceparent", "tracestate"})


class Outputs(Protocol):
    async def dead_letter(self, record: Record, reason: str) -> None: ...
    async def publish(self, rows: Mapping[str, Row], traces: Traces) -> None: ...
    async def flush(self) -> None: ...


class Processor:
    def __init__(
        self,
        definitions: Sequence[DerivedIndicator],
        province: Province,
        state: KpiState,
        outputs: Outputs,
    ) -> None:
        self._counting, self._province = Counting(definitions), province
        self._state, self._outputs = state, outputs
        self._unpublished: set[str] = set()
        self._traces: dict[str, Sequence[tuple[str, bytes]]] = {}

    @property
    def unpublished(self) -> int:
        """KPIs changed (or redelivered) since the last publish."""
        return len(self._unpublished)

    async def process(self, records: Sequence[Record]) -> Outcome:
        read = [(r, self._read(r)) for r in records]
        sources = sorted({r.source for r in records})
        applied = False
        while not applied:
            outcome = Outcome()
            progress = await self._state.progress(sources)
            fresh = [(r, c) for r, c in read if r.offset > progress[r.source]]
            for record, reason in fresh:
                if isinstance(reason, str):
                    outcome.dead_letters += 1
                    await self._outputs.dead_letter(record, reason)
            await self._outputs.flush()  # dead letters out before their records count as done
            last = {r.source: r.offset for r, _ in sorted(fresh, key=lambda f: f[0].offset)}
            batch = deltas(
                (c for _, cs in fresh if not isinstance(cs, str) for c in cs), self._province
            )
            expected = {s: progress[s] for s in last}
            applied = not fresh or await self._state.apply(expected, last, batch)
        outcome.applied = len(fresh) - outcome.dead_letters
        outcome.redelivered = len(records) - len(fresh)
        outcome.holes = _holes([r for r, _ in fresh], progress)
        for hole in outcome.holes:
            log.error("records missing before %s: the consumer skipped them", hole)
        if outcome.redelivered:
            redelivered = (
                c
                for r, cs in read
                if r.offset <= progress[r.source] and not isinstance(cs, str)
                for c in cs
            )
            self._unpublished |= deltas(redelivered, self._province).keys()
        self._unpublished |= batch.keys()
        self._traces |= _traces(fresh)
        return outcome

    async def publish(self) -> int:
        """Snapshots of the KPIs changed since the last publish, as stored now; returns once
        the broker acknowledged them (the worker commits its offsets after that)."""
        rows = await self._state.stored(sorted(self._unpublished))
        await self._outputs.publish(rows, self._traces)
        await self._outputs.flush()
        self._unpublished, self._traces = set(), {}
        return len(rows)

    def _read(self, record: Record) -> list[Change] | str:
        """The record's KPI changes, or why it cannot be read."""
        try:
            event = from_kafka_record(record.value, record.headers)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            return f"invalid event: {where}: {first['msg']}"[:500]
        except (ValueError, UnicodeDecodeError) as e:
            return f"unreadable record: {type(e).__name__}: {e}"[:500]
        return self._counting.changes_of(event)


def _traces(read: Sequence[tuple[Record, list[Change] | str]]) -> Traces:
    traces: dict[str, Sequence[tuple[str, bytes]]] = {}
    for record, changes in sorted(read, key=lambda r: r[0].offset):
        context = [(k, v) for k, v in record.headers if k in TRACE_HEADERS]
        if context and not isinstance(changes, str):
            traces.update((c.indicator, context) for c in changes)
    return traces


def _holes(fresh: Sequence[Record], progress: Mapping[str, int]) -> list[str]:
    """Where a source's records do not follow on from its progress without a gap."""
    holes, expected = [], dict(progress)
    for record in sorted(fresh, key=lambda r: (r.source, r.offset)):
        if record.offset > expected[record.source] + 1:
            holes.append(f"{record.source}@{expected[record.source] + 1}")
        expected[record.source] = record.offset
    return holes
