"""Fault tests (`make faults`): a steady load through the ingest API, every accepted event's id
recorded, while the indicators worker is killed with SIGKILL, Redis is restarted and the broker
is restarted. Then reconcile: the KPI counts every accepted event once, no more, no less. Each
fault's recovery time (until the KPI has caught up with what was accepted before the fault) is
written to test-artifacts/faults.txt."""

import asyncio
import json
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from contracts import ALL_TOPICS
from ioc.kafka import ensure_topics
from tests.infrastructure import StoppableKafka, StoppableRedis, eventually
from tests.integration.indicators.test_worker import PROVINCE_YEAR, Stack, snapshot_of
from tests.integration.ingest.harness import Ingest, StartIngest, headers

pytestmark = pytest.mark.fault
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = json.loads((ROOT / "contracts/examples/valid/dossier-accepted-online.json").read_text())


class Load:
    """An agency system sending 200 dossiers a second, retrying what was not accepted."""

    def __init__(self, ingest: Ingest) -> None:
        self.ingest, self.accepted, self.running = ingest, set[str](), True

    async def run(self) -> None:
        n = 0
        while self.running:
            await self._send([self._dossier(n + i) for i in range(20)])
            n += 20
            await asyncio.sleep(0.1)  # the load's pace (200 events/s), not a wait for a result

    async def _send(self, batch: list[dict[str, Any]]) -> None:
        """Until every event has a definite answer (even when stopping): a 503 or a `retry`
        (the same event in flight in another request) is sent again, as the guide says."""
        while batch:
            try:
                response = await self.ingest.client.post(
                    "/v1/events",
                    content=json.dumps(batch),
                    headers=headers("ubnd.cam-thanh", "application/cloudevents-batch+json"),
                )
            except OSError:
                response = None
            if response is not None and response.status_code == 202:
                done = {
                    r["id"]
                    for r in response.json()["results"]
                    if r["status"] in ("accepted", "duplicate")
                }
                self.accepted |= done
                batch = [e for e in batch if e["id"] not in done]
            if batch:
                await asyncio.sleep(0.5)  # an agency's retry pause

    @staticmethod
    def _dossier(n: int) -> dict[str, Any]:
        dossier = f"F-{n:06d}"
        return dict(EXAMPLE | {"id": dossier, "data": EXAMPLE["data"] | {"dossier_id": dossier}})


async def test_faults_under_load_lose_nothing_and_count_nothing_twice(
    stoppable_kafka: StoppableKafka,
    stoppable_redis: StoppableRedis,
    start_ingest: StartIngest,
    unique_name: str,
    tmp_path: Path,
) -> None:
    kafka, redis_url = stoppable_kafka.bootstrap, stoppable_redis.url
    stack = Stack(kafka, redis_url, unique_name, tmp_path)
    await ensure_topics(kafka, ALL_TOPICS, prefix=stack.prefix)
    ingest = await start_ingest(kafka=kafka, REDIS_URL=redis_url, ack_timeout_seconds=2)
    prefix, app_id = f"{stack.prefix}kpi:", f"w-{uuid.uuid4().hex[:6]}"
    worker = stack.start_worker(app_id, prefix)
    load = Load(ingest)
    sending = asyncio.create_task(load.run())
    counted: dict[str, Any] = {}

    async def caught_up(target: int) -> bool:
        try:
            counted.update(await snapshot_of(redis_url, prefix, PROVINCE_YEAR) or {})
        except OSError:
            return False
        return bool(counted.get("denominator", 0) >= target)

    async def fault(name: str, act: Any) -> str:
        await eventually(lambda: caught_up(len(load.accepted)), within=60)
        before, started = len(load.accepted), time.monotonic()
        await act()
        await eventually(lambda: caught_up(before + 1), within=120, explain=lambda: str(counted))
        return f"{name}: recovered in {time.monotonic() - started:.1f} s"

    async def kill_worker() -> None:
        nonlocal worker
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        worker = stack.start_worker(app_id, prefix)

    async def restart_redis() -> None:
        await asyncio.to_thread(stoppable_redis.stop)
        await asyncio.to_thread(stoppable_redis.start)

    async def restart_broker() -> None:
        await asyncio.to_thread(stoppable_kafka.stop)
        await asyncio.to_thread(stoppable_kafka.start)

    try:
        report = [
            await fault("kill -9 of the indicators worker", kill_worker),
            await fault("Redis restart", restart_redis),
            await fault("broker restart", restart_broker),
        ]
        load.running = False
        await sending
        total = len(load.accepted)
        await eventually(lambda: caught_up(total), within=120, explain=lambda: str(counted))
    finally:
        stack.stop_all()
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "faults.txt").write_text("\n".join([*report, f"{total} events accepted"]) + "\n")
    assert counted["denominator"] == total  # every accepted event, and each once
