"""Fault tests (`make faults`): a steady load through the ingest API, every accepted event's id
recorded, while the indicators worker is killed with SIGKILL, the alert service is restarted,
Redis is restarted and the broker is restarted. Then reconcile: the KPI counts every accepted
event once, no more, no less; the alert service tracks every accepted dossier once (each is
overdue: one alert whose count is the number accepted, fired once). Each fault's recovery time
(until the KPI, or the alert, has caught up with what was accepted before the fault) is written
to test-artifacts/faults.txt."""

import asyncio
import json
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from contracts import ALL_TOPICS
from infra.kafka import ensure_topics
from tests.infrastructure import StoppableKafka, StoppableRedis, deadline, eventually
from tests.integration.alerts.test_service import AUTH, ready
from tests.integration.alerts.test_service import Stack as AlertStack
from tests.integration.indicators.test_worker import PROVINCE_YEAR, Stack, snapshot_of
from tests.integration.ingest.harness import Ingest, StartIngest, headers

pytestmark = pytest.mark.fault
ROOT = Path(__file__).resolve().parents[2]
AGENCY = "ubnd.cam-thanh"
EXAMPLE = json.loads((ROOT / "contracts/examples/valid/dossier-accepted-online.json").read_text())


class Alerts:
    """The alert service, in this process, stopped and started again like a redeployment."""

    def __init__(self, stack: AlertStack) -> None:
        self.stack = stack
        self.overdue: dict[str, Any] = {}

    async def start(self) -> None:
        self._serving = self.stack.serve()
        self.client = await self._serving.__aenter__()
        await ready(self.client)

    async def stop(self) -> None:
        await self._serving.__aexit__(None, None, None)

    async def counted(self, target: int) -> bool:
        """The load's agency has one overdue-dossier alert counting `target` dossiers or more."""
        try:
            answer = await self.client.get(
                "/v1/alerts", params={"kind": "dossiers_overdue"}, headers=AUTH
            )
            [alert] = [a for a in answer.json()["items"] if a["labels"]["agency"] == AGENCY]
        except (OSError, ValueError):
            return False
        self.overdue = alert
        return int(alert["details"]["count"]) >= target


class Load:
    """An agency system sending 200 dossiers a second, retrying what was not accepted."""

    def __init__(self, ingest: Ingest) -> None:
        self.ingest, self.accepted, self.running = ingest, set[str](), True
        self.last_answer = ""

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
                    headers=headers(AGENCY, "application/cloudevents-batch+json"),
                )
            except OSError as e:
                response, self.last_answer = None, repr(e)
            if response is not None:
                self.last_answer = f"{response.status_code} {response.text[:300]}"
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
        """Received and due in March 2025: overdue from the moment it arrives."""
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
    alerts = Alerts(
        AlertStack(kafka, redis_url, unique_name, tmp_path, "-", webhook_urls=[], today=None)
    )
    await alerts.start()
    load = Load(ingest)
    sending = asyncio.create_task(load.run())
    counted: dict[str, Any] = {}

    async def caught_up(target: int) -> bool:
        try:
            counted.update(await snapshot_of(redis_url, prefix, PROVINCE_YEAR) or {})
        except OSError:
            return False
        return bool(counted.get("denominator", 0) >= target)

    async def fault(name: str, act: Any, recovered: Any = caught_up) -> str:
        await eventually(lambda: caught_up(len(load.accepted)), within=60)
        await eventually(lambda: alerts.counted(len(load.accepted)), within=60)
        before, started = len(load.accepted), time.monotonic()
        await act()
        await eventually(lambda: recovered(before + 1), within=120, explain=lambda: str(counted))
        return f"{name}: recovered in {time.monotonic() - started:.1f} s"

    async def kill_worker() -> None:
        nonlocal worker
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        worker = stack.start_worker(app_id, prefix)

    async def restart_alerts() -> None:
        await alerts.stop()
        await alerts.start()

    async def restart_redis() -> None:
        await asyncio.to_thread(stoppable_redis.stop)
        await asyncio.to_thread(stoppable_redis.start)

    async def restart_broker() -> None:
        await asyncio.to_thread(stoppable_kafka.stop)
        await asyncio.to_thread(stoppable_kafka.start)

    try:
        async with deadline(180, "the fault run", lambda: f"(load: {load.last_answer})"):
            report = [
                await fault("kill -9 of the indicators worker", kill_worker),
                await fault("alert service restart", restart_alerts, alerts.counted),
                await fault("Redis restart", restart_redis),
                await fault("broker restart", restart_broker),
            ]
            load.running = False
            await sending
            total = len(load.accepted)
            await eventually(lambda: caught_up(total), within=120, explain=lambda: str(counted))
            await eventually(
                lambda: alerts.counted(total), within=60, explain=lambda: str(alerts.overdue)
            )
    finally:
        stack.stop_all()
        async with deadline(60, "stopping the alert service"):
            await alerts.stop()
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "faults.txt").write_text("\n".join([*report, f"{total} events accepted"]) + "\n")
    assert counted["denominator"] == total  # every accepted event, and each once
    assert int(alerts.overdue["details"]["count"]) == total  # every accepted dossier, once
    assert [e["action"] for e in alerts.overdue["audit"]].count("fired") == 1
