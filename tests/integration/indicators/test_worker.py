"""The indicators worker as a real process on the real broker and Redis: hand-computed KPIs,
kill -9 mid-stream, a poison record, and a replay from the start."""

import asyncio
import json
import os
import random
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from catalog import load_province
from catalog.indicators import load_definitions
from contracts import ALL_TOPICS, parse_event, to_kafka_record
from contracts.kpi import KpiSnapshot
from contracts.topics import DEAD_LETTERS, DOSSIER_EVENTS, INDICATOR_REPORTS, KPI_SNAPSHOTS
from domain.kpi.contributions import Counting
from domain.kpi.rows import Row, add, deltas, kpi_value
from infra.kafka import ensure_topics, new_consumer, new_producer
from services.indicators.readmodel import KpiReadModel
from tests.infrastructure import eventually
from tests.integration.ingest.harness import records_on
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = json.loads((ROOT / "contracts/examples/valid/dossier-accepted-online.json").read_text())
COMMUNES = ["cam-thanh", "nghia-lo", "tinh-khe", "duc-pho"]


def dossier(i: int, rng: random.Random) -> Any:
    commune = COMMUNES[i % len(COMMUNES)]
    data = EXAMPLE["data"] | {
        "dossier_id": f"D{i}",
        "org_unit_code": commune,
        "agency_code": f"ubnd.{commune}",
        "channel": rng.choice([1, 2, 2]),
    }
    return parse_event(
        EXAMPLE | {"id": f"e{i}", "source": f"/agencies/ubnd.{commune}/mot-cua", "data": data}
    )


def expected(events: list[Any], kpi: str) -> float | None:
    """The KPI computed by the pure domain, every event applied exactly once."""
    definitions, province = load_definitions(), load_province("quang-ngai")
    changes = [c for e in events for c in Counting(definitions).changes_of(e)]
    return kpi_value(add(Row(), deltas(changes, province).get(kpi, Row())))


class Stack:
    def __init__(self, kafka: str, redis_url: str, name: str, tmp: Path) -> None:
        self.kafka, self.redis_url, self.tmp = kafka, redis_url, tmp
        self.prefix = f"{name}."
        self.processes: list[subprocess.Popen[bytes]] = []

    def start_worker(
        self, app_id: str, redis_prefix: str, **extra_env: str
    ) -> subprocess.Popen[bytes]:
        env = (
            os.environ
            | extra_env
            | {
                "KAFKA_BOOTSTRAP_SERVERS": self.kafka,
                "REDIS_URL": self.redis_url,
                "IOC_TOPIC_PREFIX": self.prefix,
                "INDICATORS_APP_ID": app_id,
                "INDICATORS_REDIS_PREFIX": redis_prefix,
                "INDICATORS_METRICS_PORT": str(free_port()),
                "INDICATORS_BATCH_SIZE": "50",
            }
        )
        log = (self.tmp / f"{app_id}.log").open("ab")
        worker = subprocess.Popen(
            [sys.executable, "-m", "services.indicators", "worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        self.processes.append(worker)
        return worker

    def stop_all(self) -> None:
        """Every worker started, SIGKILL for one that does not stop (a worker waiting for a
        broker that is gone may not)."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)

    async def publish(
        self, events: list[Any], extra: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        producer = new_producer(self.kafka)
        await producer.start()
        try:
            for event in events:
                r = to_kafka_record(event)
                await producer.send(
                    self.prefix + DOSSIER_EVENTS.name, r.value, key=r.key, headers=list(r.headers)
                )
            for key, value in extra or []:
                await producer.send(self.prefix + DOSSIER_EVENTS.name, value, key=key)
            await producer.flush()
        finally:
            await producer.stop()


@pytest.fixture
async def stack(
    kafka_bootstrap: str, redis_url: str, unique_name: str, tmp_path: Path
) -> AsyncIterator[Stack]:
    running = Stack(kafka_bootstrap, redis_url, unique_name, tmp_path)
    await ensure_topics(kafka_bootstrap, ALL_TOPICS, prefix=running.prefix)
    yield running
    running.stop_all()


async def snapshot_of(redis_url: str, prefix: str, kpi: str) -> dict[str, Any] | None:
    indicator, scope, period = kpi.split("|")
    client = aioredis.Redis.from_url(redis_url)
    try:
        found = await KpiReadModel(client, prefix).snapshots(indicator, [scope], [period])
    finally:
        await client.aclose()
    return found[0].model_dump() if found else None


async def wait_for_denominator(
    redis_url: str, prefix: str, kpi: str, count: int, within: float = 90, every: float = 0.2
) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    async def reached() -> bool:
        snapshot = await snapshot_of(redis_url, prefix, kpi)
        seen.update(snapshot or {})
        return snapshot is not None and snapshot["denominator"] >= count

    await eventually(reached, within=within, every=every, explain=lambda: f"(last seen: {seen})")
    return seen


PROVINCE_YEAR = "FULL_ONLINE_DOSSIERS|org:quang-ngai|2025"


async def test_known_events_give_hand_computed_kpis(stack: Stack) -> None:
    rng = random.Random(1)
    events = [dossier(i, rng) for i in range(40)]
    await stack.publish(events)
    stack.start_worker(f"w-{uuid.uuid4().hex[:6]}", f"{stack.prefix}kpi:")

    province = await wait_for_denominator(stack.redis_url, f"{stack.prefix}kpi:", PROVINCE_YEAR, 40)
    online = sum(1 for e in events if e.data.channel == 2)
    assert (province["numerator"], province["denominator"]) == (online, 40)
    commune = await snapshot_of(
        stack.redis_url, f"{stack.prefix}kpi:", "FULL_ONLINE_DOSSIERS|org:cam-thanh|2025-03"
    )
    assert commune is not None
    cam = [e for e in events if e.data.org_unit_code == "cam-thanh"]
    assert commune["denominator"] == len(cam) == 10
    assert commune["value"] == pytest.approx(100 * sum(e.data.channel == 2 for e in cam) / 10)
    agency = await snapshot_of(
        stack.redis_url, f"{stack.prefix}kpi:", "FULL_ONLINE_DOSSIERS|agency:ubnd.cam-thanh|2025-Q1"
    )
    assert agency is not None
    assert agency["value"] == commune["value"]
    # The alert service's input: the snapshot topic says the same, and the worker goes on.
    published = await published_snapshot(stack, PROVINCE_YEAR, denominator=40)
    assert (published.numerator, published.value) == (online, province["value"])
    assert all(worker.poll() is None for worker in stack.processes)


async def published_snapshot(stack: Stack, kpi: str, denominator: int) -> KpiSnapshot:
    """The KPI's latest snapshot on the snapshot topic, once it counts `denominator` events."""
    consumer = new_consumer(stack.kafka, stack.prefix + KPI_SNAPSHOTS.name, group_id=None)
    await consumer.start()
    latest: KpiSnapshot | None = None
    try:
        async with asyncio.timeout(30):
            while latest is None or latest.denominator < denominator:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    for record in records:
                        if record.key == kpi.encode():
                            latest = KpiSnapshot.model_validate_json(record.value)
    finally:
        await consumer.stop()
    return latest


async def test_a_poison_record_goes_to_the_dead_letters_and_counting_goes_on(stack: Stack) -> None:
    rng = random.Random(3)
    events = [dossier(i, rng) for i in range(10)]
    await stack.publish(events[:5], extra=[(b"bad", b"{not json")])
    await stack.publish(events[5:])
    stack.start_worker(f"w-{uuid.uuid4().hex[:6]}", f"{stack.prefix}kpi:")

    await wait_for_denominator(stack.redis_url, f"{stack.prefix}kpi:", PROVINCE_YEAR, 10)
    consumer = new_consumer(stack.kafka, stack.prefix + DEAD_LETTERS.name, group_id=None)
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), 30)
    finally:
        await consumer.stop()
    headers = dict(record.headers)
    assert record.value == b"{not json"
    assert headers["ioc_dlq_reason"].startswith(b"unreadable record")
    assert headers["ioc_dlq_topic"] == (stack.prefix + DOSSIER_EVENTS.name).encode()


async def test_extreme_events_past_ingest_are_dead_lettered_and_the_next_thousand_counted(
    stack: Stack,
) -> None:
    # Published straight to the topic (ingest refuses them): a dossier received in the year
    # 9999 (a local date beyond the calendar) and an indicator report with such a time. The
    # worker used to die on the first while deriving its month, and again at every restart.
    good = to_kafka_record(dossier(0, random.Random(5)))
    far_dossier = good.value.replace(
        b'"received_at":"2025-03-03T08:15:00+07:00"', b'"received_at":"9999-12-31T23:59:59-12:00"'
    )
    assert far_dossier != good.value
    report = to_kafka_record(
        parse_event(
            json.loads((ROOT / "contracts/examples/valid/indicator-dti-yearly.json").read_text())
        )
    )
    far_time = [
        (k, b"9999-12-31T23:59:59-12:00" if k == "ce_time" else v) for k, v in report.headers
    ]
    producer = new_producer(stack.kafka)
    await producer.start()
    try:
        await producer.send(
            stack.prefix + DOSSIER_EVENTS.name,
            far_dossier,
            key=good.key,
            headers=list(good.headers),
        )
        await producer.send(
            stack.prefix + INDICATOR_REPORTS.name, report.value, key=report.key, headers=far_time
        )
        await producer.flush()
    finally:
        await producer.stop()
    rng = random.Random(6)
    await stack.publish([dossier(i, rng) for i in range(1, 1001)])
    stack.start_worker(
        f"w-{uuid.uuid4().hex[:6]}", f"{stack.prefix}kpi:", INDICATORS_BATCH_SIZE="500"
    )

    await wait_for_denominator(stack.redis_url, f"{stack.prefix}kpi:", PROVINCE_YEAR, 1000)
    letters = await records_on(stack.kafka, stack.prefix + DEAD_LETTERS.name, at_least=2)
    reasons = sorted(dict(r.headers)["ioc_dlq_reason"].decode() for r in letters)
    assert len(reasons) == 2, reasons
    assert reasons[0].startswith("invalid event: data.received_at"), reasons
    assert reasons[1].startswith("invalid event: time"), reasons
    assert all(worker.poll() is None for worker in stack.processes)


async def test_a_replay_from_the_start_gives_the_same_kpis(stack: Stack) -> None:
    rng = random.Random(4)
    events = [dossier(i, rng) for i in range(300)]
    await stack.publish(events)
    live = f"{stack.prefix}live:"
    stack.start_worker(f"w-{uuid.uuid4().hex[:6]}", live)
    await wait_for_denominator(stack.redis_url, live, PROVINCE_YEAR, 300)

    replay = f"{stack.prefix}replay:"  # a new group and new state: everything from offset 0
    stack.start_worker(f"r-{uuid.uuid4().hex[:6]}", replay)
    await wait_for_denominator(stack.redis_url, replay, PROVINCE_YEAR, 300)
    for kpi in (
        PROVINCE_YEAR,
        "FULL_ONLINE_DOSSIERS|org:nghia-lo|2025-03",
        "VNEID_VERIFIED_DOSSIERS|org:quang-ngai|2025-Q1",
    ):
        a = await snapshot_of(stack.redis_url, live, kpi)
        b = await snapshot_of(stack.redis_url, replay, kpi)
        assert a is not None
        assert b is not None
        assert (a["numerator"], a["denominator"], a["value"]) == (
            b["numerator"],
            b["denominator"],
            b["value"],
        )
