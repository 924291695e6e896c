"""The batch processor with an in-memory row store and outputs: exactly-once effect on
redelivery, dead letters for unreadable records, one output per changed row."""

import json
from pathlib import Path

import pytest

from catalog import load_province
from contracts import parse_event, to_kafka_record
from kpi.definitions import load_definitions
from kpi.rows import Row, kpi_value, merge
from services.indicators.processor import Changed, Processor, Record

EXAMPLES = Path(__file__).resolve().parents[3] / "contracts/examples/valid"


class MemoryRows:
    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.flushed = 0

    def get(self, key: str) -> Row | None:
        return self.rows.get(key)

    def put(self, partition: int, key: str, row: Row) -> None:
        self.rows[key] = row

    async def flush(self) -> None:
        self.flushed += 1


class MemoryOutputs:
    def __init__(self) -> None:
        self.published: list[Changed] = []
        self.dead: list[tuple[Record, str]] = []

    async def publish(self, changed: list[Changed]) -> None:
        self.published += changed

    async def dead_letter(self, record: Record, reason: str) -> None:
        self.dead.append((record, reason))


def records(
    names_and_changes: list[tuple[str, dict[str, object]]], partition: int = 0
) -> list[Record]:
    out = []
    for offset, (name, data) in enumerate(names_and_changes):
        document = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))
        event = parse_event(document | {"id": f"e{offset}", "data": document["data"] | data})
        r = to_kafka_record(event)
        out.append(Record("ioc.dossier-events.v1", partition, offset, r.key, r.value, r.headers))
    return out


def processor() -> tuple[Processor, MemoryRows, MemoryOutputs]:
    rows, outputs = MemoryRows(), MemoryOutputs()
    return Processor(load_definitions(), load_province("quang-ngai"), rows, outputs), rows, outputs


def kpi(rows: MemoryRows, key: str) -> float | None:
    return kpi_value(merge(r for k, r in rows.rows.items() if k.endswith("|" + key)))


BATCH: list[tuple[str, dict[str, object]]] = [
    ("dossier-accepted-online", {"dossier_id": "A"}),
    ("dossier-accepted-online", {"dossier_id": "B", "channel": 1}),
    ("dossier-accepted-online", {"dossier_id": "C", "channel": 1}),
    (
        "dossier-accepted-online",
        {"dossier_id": "D", "org_unit_code": "nghia-lo", "agency_code": "ubnd.nghia-lo"},
    ),
]


async def test_kpis_for_commune_province_and_agency_by_hand() -> None:
    run, rows, outputs = processor()
    await run.process(records(BATCH))
    # Cẩm Thành: A online, B and C in person → 1/3; Nghĩa Lộ: D online → 1/1; province 2/4.
    assert kpi(rows, "ONLINE_DOSSIERS|org:cam-thanh|2025-03") == pytest.approx(100 / 3)
    assert kpi(rows, "ONLINE_DOSSIERS|org:nghia-lo|2025-Q1") == 100.0
    assert kpi(rows, "ONLINE_DOSSIERS|org:quang-ngai|2025") == 50.0
    assert kpi(rows, "ONLINE_DOSSIERS|agency:ubnd.cam-thanh|2025-03") == pytest.approx(100 / 3)
    assert rows.flushed == 1
    assert {c.kpi for c in outputs.published} >= {"ONLINE_DOSSIERS|org:quang-ngai|2025"}


async def test_a_redelivered_batch_changes_nothing_but_is_published_again() -> None:
    run, rows, outputs = processor()
    batch = records(BATCH)
    await run.process(batch)
    before = dict(rows.rows)
    outputs.published.clear()
    await run.process(batch[1:])  # redelivered after a crash: offsets 1-3 again
    assert rows.rows == before
    # The worker may have died before the read model saw these rows: they go out again,
    # with the same (absolute) values.
    assert outputs.published
    assert all(rows.rows[f"{c.source}|{c.kpi}"] == c.row for c in outputs.published)


async def test_an_unreadable_record_is_a_dead_letter_and_the_rest_counts() -> None:
    run, rows, outputs = processor()
    batch = records(BATCH)
    poison = Record("ioc.dossier-events.v1", 0, 99, b"k", b"{not json", batch[0].headers)
    dead = await run.process([batch[0], poison, *batch[1:]])
    assert dead == 1
    [(record, reason)] = outputs.dead
    assert record.offset == 99
    assert "unreadable record" in reason
    assert kpi(rows, "ONLINE_DOSSIERS|org:quang-ngai|2025") == 50.0


async def test_a_record_breaking_its_contract_is_a_dead_letter_naming_the_field() -> None:
    run, _, outputs = processor()
    [good] = records(BATCH[:1])
    bad_value = json.loads(good.value) | {"status": 42}
    bad = Record(good.topic, 0, 5, good.key, json.dumps(bad_value).encode(), good.headers)
    assert await run.process([bad]) == 1
    assert "data.status" in outputs.dead[0][1] or "status" in outputs.dead[0][1]
