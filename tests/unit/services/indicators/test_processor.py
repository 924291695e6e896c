"""The batch processor with an in-memory state and outputs: exactly-once effect on redelivery
and when another worker moved a partition on, dead letters for unreadable records, holes in a
partition's offsets reported, one snapshot per changed KPI however many batches changed it."""

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import pytest

from catalog import load_province
from catalog.indicators import load_definitions
from contracts import parse_event, to_kafka_record
from domain.kpi.rows import Row, add, kpi_value
from services.indicators.processor import Processor, Record, Stored, Traces

STAMP = datetime(2025, 6, 1, tzinfo=UTC)  # when the state last changed a row


class Consumed(NamedTuple):
    """A consumed record, as aiokafka hands it over."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


EXAMPLES = Path(__file__).resolve().parents[4] / "contracts/examples/valid"
TOPIC = "ioc.dossier-events.v1"


class MemoryState:
    """The compare-and-set contract of the Redis state (state.py), in memory."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.changed: dict[str, datetime] = {}  # by the state's one clock
        self.offsets: dict[str, int] = {}
        self.applied = 0

    async def progress(self, sources: list[str]) -> dict[str, int]:
        return {s: self.offsets.get(s, -1) for s in sources}

    async def apply(
        self, expected: Mapping[str, int], last: Mapping[str, int], deltas: Mapping[str, Row]
    ) -> bool:
        if any(self.offsets.get(s, -1) != o for s, o in expected.items()):
            return False
        self.offsets.update(last)
        for kpi, delta in deltas.items():
            self.rows[kpi] = add(self.rows.get(kpi, Row()), delta)
            self.changed[kpi] = STAMP + timedelta(microseconds=self.applied)
        self.applied += 1
        return True

    async def stored(self, kpis: list[str]) -> dict[str, Stored]:
        return {k: Stored(self.rows[k], self.changed[k]) for k in kpis if k in self.rows}


class MemoryOutputs:
    def __init__(self) -> None:
        self.published: dict[str, Row] = {}
        self.snapshots = 0
        self.traces: dict[str, Sequence[tuple[str, bytes]]] = {}
        self.dead: list[tuple[Record, str]] = []
        self.flushes = 0
        self.broker_down = False
        self.meanwhile: Callable[[], Awaitable[object]] | None = None  # during the next publish

    async def publish(self, rows: Mapping[str, Stored], traces: Traces) -> None:
        if self.broker_down:
            raise ConnectionError("broker unreachable")
        self.published |= {kpi: stored.row for kpi, stored in rows.items()}
        self.snapshots += len(rows)
        self.traces |= traces
        if self.meanwhile:
            meanwhile, self.meanwhile = self.meanwhile, None
            await meanwhile()

    async def dead_letter(self, record: Record, reason: str) -> None:
        self.dead.append((record, reason))

    async def flush(self) -> None:
        self.flushes += 1


def records(names_and_changes: list[tuple[str, dict[str, object]]]) -> list[Consumed]:
    out = []
    for offset, (name, data) in enumerate(names_and_changes):
        document = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))
        event = parse_event(document | {"id": f"e{offset}", "data": document["data"] | data})
        r = to_kafka_record(event)
        out.append(Consumed(TOPIC, 0, offset, r.key, r.value, r.headers))
    return out


def processor() -> tuple[Processor, MemoryState, MemoryOutputs]:
    state, outputs = MemoryState(), MemoryOutputs()
    definitions, province = load_definitions(), load_province("quang-ngai")
    return Processor(definitions, province, state, outputs), state, outputs


def kpi(state: MemoryState, key: str) -> float | None:
    return kpi_value(state.rows[key])


BATCH: list[tuple[str, dict[str, object]]] = [
    ("dossier-accepted-online", {"dossier_id": "A"}),
    ("dossier-accepted-online", {"dossier_id": "B", "channel": 1}),
    ("dossier-accepted-online", {"dossier_id": "C", "channel": 1}),
    (
        "dossier-accepted-online",
        {"dossier_id": "D", "org_unit_code": "nghia-lo", "agency_code": "ubnd.nghia-lo"},
    ),
]
PROVINCE_YEAR = "FULL_ONLINE_DOSSIERS|org:quang-ngai|2025"


async def test_kpis_for_commune_province_and_agency_by_hand() -> None:
    run, state, outputs = processor()
    outcome = await run.process(records(BATCH))
    # Cẩm Thành: A online, B and C in person → 1/3; Nghĩa Lộ: D online → 1/1; province 2/4.
    assert kpi(state, "FULL_ONLINE_DOSSIERS|org:cam-thanh|2025-03") == pytest.approx(100 / 3)
    assert kpi(state, "FULL_ONLINE_DOSSIERS|org:nghia-lo|2025-Q1") == 100.0
    assert kpi(state, PROVINCE_YEAR) == 50.0
    assert kpi(state, "FULL_ONLINE_DOSSIERS|agency:ubnd.cam-thanh|2025-03") == pytest.approx(
        100 / 3
    )
    assert (outcome.applied, state.applied, state.offsets) == (4, 1, {f"{TOPIC}/0": 3})
    assert outputs.published == {}  # until the worker publishes
    assert await run.publish() == len(state.rows)
    assert outputs.published == state.rows


async def test_a_kpi_changed_by_many_batches_is_published_once_with_its_latest_value() -> None:
    run, state, outputs = processor()
    batch = records(BATCH)
    for record in batch:
        await run.process([record])
    await run.publish()
    assert outputs.published == state.rows
    assert outputs.snapshots == len(state.rows)
    assert outputs.published[PROVINCE_YEAR].denominator == 4
    assert (run.unpublished, await run.publish(), outputs.snapshots) == (0, 0, len(state.rows))


async def test_a_kpi_another_worker_changed_meanwhile_goes_out_again() -> None:
    # Its snapshot may reach the topic before ours, and compaction keeps the last one.
    run, state, outputs = processor()
    batch = records(BATCH)
    await run.process(batch[:2])
    other = Processor(load_definitions(), load_province("quang-ngai"), state, MemoryOutputs())
    outputs.meanwhile = lambda: other.process(batch[2:])
    changed_here = run.unpublished
    published = await run.publish()
    assert state.rows[PROVINCE_YEAR].denominator == 4
    assert outputs.published[PROVINCE_YEAR] == state.rows[PROVINCE_YEAR]
    assert changed_here < published == outputs.snapshots  # those changed meanwhile, again


async def test_snapshots_the_broker_did_not_take_are_published_next_time() -> None:
    run, state, outputs = processor()
    batch = records(BATCH)
    await run.process(batch[:2])
    outputs.broker_down = True
    with pytest.raises(ConnectionError):
        await run.publish()
    outputs.broker_down = False
    await run.process(batch[2:])
    await run.publish()
    assert outputs.published == state.rows


async def test_a_redelivered_batch_changes_nothing_but_is_published_again() -> None:
    run, state, outputs = processor()
    batch = records(BATCH)
    await run.process(batch[:2])
    await run.process(batch[2:])
    before = dict(state.rows)
    await run.publish()
    outputs.published.clear()
    outcome = await run.process(batch[1:])  # redelivered after a crash: offsets 1-3 again
    assert (outcome.applied, outcome.redelivered) == (0, 3)
    assert state.rows == before
    await run.publish()
    # The worker may have died before the snapshots went out: they go out again.
    assert outputs.published[PROVINCE_YEAR] == before[PROVINCE_YEAR]


async def test_a_partly_redelivered_batch_applies_only_the_new_records() -> None:
    run, state, _ = processor()
    batch = records(BATCH)
    await run.process(batch[:2])
    outcome = await run.process(batch[1:])
    assert (outcome.applied, outcome.redelivered) == (2, 1)
    assert (state.rows[PROVINCE_YEAR].numerator, state.rows[PROVINCE_YEAR].denominator) == (2, 4)


async def test_a_partition_moved_on_by_another_worker_is_read_again() -> None:
    run, state, _ = processor()
    batch = records(BATCH)
    zombie = Processor(load_definitions(), load_province("quang-ngai"), state, MemoryOutputs())
    real_progress, overtaken = state.progress, list[bool]()

    async def progress_then_overtaken(sources: list[str]) -> dict[str, int]:
        seen = await real_progress(sources)
        if not overtaken:
            overtaken.append(True)
            await zombie.process(batch[:2])  # the previous owner applies 0-1 meanwhile
        return seen

    state.progress = progress_then_overtaken  # type: ignore[method-assign]
    outcome = await run.process(batch)
    assert (outcome.applied, outcome.redelivered) == (2, 2)
    assert state.rows[PROVINCE_YEAR].denominator == 4


async def test_an_unreadable_record_is_a_dead_letter_and_the_rest_counts() -> None:
    run, state, outputs = processor()
    batch = records(BATCH)
    poison = Consumed(TOPIC, 0, 4, b"k", b"{not json", batch[0].headers)
    outcome = await run.process([*batch, poison])
    assert (outcome.applied, outcome.dead_letters) == (4, 1)
    [(record, reason)] = outputs.dead
    assert record.offset == 4
    assert "unreadable record" in reason
    assert kpi(state, PROVINCE_YEAR) == 50.0
    assert state.offsets[f"{TOPIC}/0"] == 4  # the poison record is done with too
    again = await run.process([poison])
    assert (again.redelivered, again.dead_letters, len(outputs.dead)) == (1, 0, 1)


async def test_a_tombstone_is_a_dead_letter() -> None:
    run, _, outputs = processor()
    [good] = records(BATCH[:1])
    outcome = await run.process([good._replace(value=None)])
    assert (outcome.applied, outcome.dead_letters) == (0, 1)
    assert "unreadable record" in outputs.dead[0][1]


async def test_a_record_breaking_its_contract_is_a_dead_letter_naming_the_field() -> None:
    run, _, outputs = processor()
    [good] = records(BATCH[:1])
    bad_value = json.loads(good.value or b"") | {"status": 42}
    bad = Consumed(good.topic, 0, 0, good.key, json.dumps(bad_value).encode(), good.headers)
    assert (await run.process([bad])).dead_letters == 1
    assert "status" in outputs.dead[0][1]


async def test_records_after_a_hole_are_reported() -> None:
    run, _, _ = processor()
    batch = records(BATCH)
    await run.process(batch[:1])
    outcome = await run.process(batch[2:])  # offset 1 never came
    assert outcome.holes == [f"{TOPIC}/0@1"]


async def test_each_indicator_carries_the_trace_of_the_latest_event_that_changed_it() -> None:
    run, _, outputs = processor()
    first, second, untraced, _ = records(BATCH)
    older = [("traceparent", b"00-" + b"1" * 32 + b"-" + b"a" * 16 + b"-01")]
    newer = [("traceparent", b"00-" + b"2" * 32 + b"-" + b"b" * 16 + b"-01")]
    await run.process(
        [
            first._replace(headers=[*first.headers, *older]),
            second._replace(headers=[*second.headers, *newer]),
            untraced,
        ]
    )
    await run.publish()
    # The untraced last record takes nothing away; the later traced one wins.
    assert set(outputs.traces) >= {"FULL_ONLINE_DOSSIERS", "VNEID_VERIFIED_DOSSIERS"}
    assert all(context == newer for context in outputs.traces.values())


async def test_a_record_whose_changes_cannot_be_derived_is_a_dead_letter_not_a_stop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Whatever a valid-looking record makes the derivation raise (the year-9999 dossier once
    # raised OverflowError here, outside any handling): that record only.
    run, state, outputs = processor()
    batch = records(BATCH)
    derive = run._counting.changes_of

    def fragile(event: object) -> object:
        if getattr(getattr(event, "data", None), "dossier_id", None) == "B":
            raise OverflowError("date value out of range")
        return derive(event)  # type: ignore[arg-type]

    monkeypatch.setattr(run._counting, "changes_of", fragile)
    outcome = await run.process(batch)
    assert (outcome.applied, outcome.dead_letters) == (3, 1)
    [(record, reason)] = outputs.dead
    assert record.offset == 1
    assert reason == "cannot derive its KPI changes: OverflowError: date value out of range"
    assert state.offsets == {f"{TOPIC}/0": 3}  # past it: the partition is not stuck
