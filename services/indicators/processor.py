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
from datetime import datetime
from typing import NamedTuple, Protocol

from pydantic import ValidationError

from catalog import Province
from catalog.indicators import DerivedIndicator
from contracts import error_message, field_path, from_kafka_record
from domain.kpi.contributions import Counting, KpiChange
from domain.kpi.rows import Row, deltas
from infra.deadletters import unreadable
from infra.kafka import Consumed

log = logging.getLogger(__name__)


Record = Consumed  # a tombstone (no value) is unreadable: a dead letter


def source_of(record: Record) -> str:
    """The record's source partition, as the state keeps progress: `topic/partition`."""
    return f"{record.topic}/{record.partition}"


# A record's source partition, the record, and its changes or why it is unreadable.
Read = tuple[str, Record, list[KpiChange] | str]
TraceContext = Sequence[tuple[str, bytes]]  # W3C traceparent and tracestate headers
# The trace context of the latest event that changed an indicator in a batch, by indicator.
Traces = Mapping[str, TraceContext]
TRACE_HEADERS = frozenset({"traceparent", "tracestate"})
# A KPI changed by another worker while this one publishes it goes out again, up to this many
# times in all (a KPI changed without pause is published by the workers changing it anyway).
REPUBLISH_ROUNDS = 3


@dataclass(slots=True)
class BatchOutcome:
    applied: int = 0
    redelivered: int = 0
    dead_letters: int = 0
    holes: list[str] = field(default_factory=list)  # "topic/partition@offset" not seen
    # Records applied that carry a W3C trace context, with it (the worker continues them).
    traced: list[tuple[Record, TraceContext]] = field(default_factory=list)


class Stored(NamedTuple):
    """A KPI row as the state holds it, and when it last changed by the state's own clock: one
    clock for every worker, so of two snapshots of a KPI the later change has the later time,
    whichever worker published it and whichever reached the topic first."""

    row: Row
    updated_at: datetime


class KpiState(Protocol):
    async def progress(self, sources: list[str]) -> dict[str, int]: ...
    async def apply(
        self, expected: Mapping[str, int], last: Mapping[str, int], deltas: Mapping[str, Row]
    ) -> bool: ...
    async def stored(self, kpis: list[str]) -> dict[str, Stored]: ...


class Outputs(Protocol):
    async def dead_letter(self, record: Record, reason: str) -> None: ...
    async def publish(self, rows: Mapping[str, Stored], traces: Traces) -> None: ...
    async def flush(self) -> None: ...


class Processor:
    def __init__(
        self,
        definitions: Sequence[DerivedIndicator],
        province: Province,
        state: KpiState,
        outputs: Outputs,
    ) -> None:
        issues_result = {code: p.issues_result for code, p in province.procedures.items()}
        self._counting, self._province = Counting(definitions, issues_result), province
        self._state, self._outputs = state, outputs
        self._progress: dict[str, int] = {}  # as this worker last left the state
        self._unpublished: set[str] = set()
        self._traces: dict[str, TraceContext] = {}

    @property
    def unpublished(self) -> int:
        """KPIs changed (or redelivered) since the last publish."""
        return len(self._unpublished)

    async def process(self, records: Sequence[Record]) -> BatchOutcome:
        return await self.apply(self.read(records))

    def read(self, records: Sequence[Record]) -> list[Read]:
        """Each record's KPI changes, or why it cannot be read (CPU only: the worker reads the
        next batch while the state applies this one)."""
        return [(source_of(r), r, self._read(r)) for r in records]

    async def apply(self, read: Sequence[Read]) -> BatchOutcome:
        sources = sorted({s for s, _, _ in read})
        while True:
            progress = await self._progress_of(sources)
            fresh = [(s, r, c) for s, r, c in read if r.offset > progress[s]]
            sorted_out = _sort_out(fresh)
            for record, reason in sorted_out.unreadable:
                await self._outputs.dead_letter(record, reason)
            await self._outputs.flush()  # dead letters out before their records count as done
            batch = deltas(sorted_out.changes, self._province)
            expected = {s: progress[s] for s in sorted_out.last}
            if not fresh or await self._state.apply(expected, sorted_out.last, batch):
                self._progress |= sorted_out.last
                break
            self._progress.clear()  # another worker moved a source on: read progress again
        outcome = BatchOutcome(
            applied=len(fresh) - len(sorted_out.unreadable),
            redelivered=len(read) - len(fresh),
            dead_letters=len(sorted_out.unreadable),
        )
        outcome.holes = _holes([(s, r.offset) for s, r, _ in fresh], progress)
        for hole in outcome.holes:
            log.error("records missing before %s: the consumer skipped them", hole)
        if outcome.redelivered:
            redelivered = (
                c
                for s, r, cs in read
                if r.offset <= progress[s] and not isinstance(cs, str)
                for c in cs
            )
            self._unpublished |= deltas(redelivered, self._province).keys()
        self._unpublished |= batch.keys()
        for record, context, record_changes in sorted_out.traced:
            outcome.traced.append((record, context))
            # By indicator, the latest record changing it (in each partition's order).
            self._traces.update((c.indicator, context) for c in record_changes)
        return outcome

    async def track(self, read: Sequence[Read]) -> None:
        """Learns the progress of sources not seen yet before their batch is applied, so that
        applying waits on Redis once (the worker calls it while the previous batch applies)."""
        await self._progress_of(sorted({s for s, _, _ in read}))

    async def _progress_of(self, sources: list[str]) -> dict[str, int]:
        """Each source's progress: the state is read only for sources this worker has not
        yet applied to, since the state refuses a batch based on a progress no longer true."""
        unknown = [s for s in sources if s not in self._progress]
        if unknown:
            self._progress |= await self._state.progress(unknown)
        return {s: self._progress[s] for s in sources}

    async def publish(self) -> int:
        """Snapshots of the KPIs changed since the last publish, as stored now; returns once
        the broker acknowledged them (the worker commits its offsets after that). A KPI that
        another worker changed meanwhile goes out again: the broker may take the other
        worker's newer snapshot before this one, and the compacted topic keeps the last."""
        rows = await self._state.stored(sorted(self._unpublished))
        published = 0
        for _ in range(REPUBLISH_ROUNDS):
            if not rows:
                break
            await self._outputs.publish(rows, self._traces)
            await self._outputs.flush()
            published += len(rows)
            now = await self._state.stored(list(rows))
            rows = {k: s for k, s in now.items() if s.updated_at > rows[k].updated_at}
        self._unpublished, self._traces = set(), {}
        return published

    def _read(self, record: Record) -> list[KpiChange] | str:
        """The record's KPI changes, or why it cannot be read."""
        try:
            event = from_kafka_record(record.value or b"", record.headers)
        except ValidationError as e:
            first = e.errors()[0]
            return f"invalid event: {field_path(first)}: {error_message(first)}"[:500]
        except Exception as e:  # whatever a record raises, it is only that record's
            return f"unreadable record: {unreadable(e)}"
        try:
            return self._counting.changes_of(event)
        except Exception as e:  # a record no rule can count stops nothing else
            return f"cannot derive its KPI changes: {unreadable(e)}"


@dataclass(slots=True)
class _SortedOut:
    last: dict[str, int] = field(default_factory=dict)  # the last offset of each source
    changes: list[KpiChange] = field(default_factory=list)
    unreadable: list[tuple[Record, str]] = field(default_factory=list)  # with the reason
    traced: list[tuple[Record, TraceContext, list[KpiChange]]] = field(default_factory=list)


def _sort_out(fresh: Sequence[Read]) -> _SortedOut:
    """One pass over a batch's new records (each source's in offset order, as consumed)."""
    out = _SortedOut()
    for source, record, changes in fresh:
        out.last[source] = record.offset
        if isinstance(changes, str):
            out.unreadable.append((record, changes))
            continue
        out.changes += changes
        if context := _trace_context(record):
            out.traced.append((record, context, changes))
    return out


def _trace_context(record: Record) -> TraceContext:
    """The record's W3C trace context headers (none without a traceparent)."""
    for name, _ in record.headers:
        if name == "traceparent":
            return [(k, v) for k, v in record.headers if k in TRACE_HEADERS]
    return []


def _holes(offsets: list[tuple[str, int]], progress: Mapping[str, int]) -> list[str]:
    """Where a source's records (source, offset; each source's in order, as consumed) do not
    follow on from its progress without a gap."""
    holes, expected = [], dict(progress)
    for source, offset in offsets:
        if offset > expected[source] + 1:
            holes.append(f"{source}@{expected[source] + 1}")
        expected[source] = offset
    return holes
