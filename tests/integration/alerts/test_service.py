"""The alert service on the real broker and Redis: a series that turns a target off track, its
recovery, the same condition twice, operators' actions with audit, an overdue dossier, a late
report, live changes on the stream, webhooks in the Alertmanager v4 shape, and a restart that
keeps every alert and notifies nothing twice."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI, Request

from contracts import ALL_TOPICS, parse_event, to_kafka_record
from contracts.kpi import KpiSnapshot
from contracts.topics import DOSSIER_EVENTS, KPI_SNAPSHOTS
from infra.kafka import ensure_topics, new_producer
from infra.keys import hash_api_key
from infra.producing import caching_partitioner
from services.alerts.app import create_app
from services.alerts.settings import AlertsSettings
from tests.infrastructure import eventually
from tests.servers import free_port, serving

ROOT = Path(__file__).resolve().parents[3]
KEY = "ioc_operator-test-key"
TODAY = "2025-07-15"
AUTH = {"x-api-key": KEY}


class Webhooks:
    """A receiver of Alertmanager webhooks, as a chat bridge would be."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.app = FastAPI()

        @self.app.post("/hook")
        async def hook(request: Request) -> dict[str, str]:
            self.received.append(await request.json())
            return {"status": "ok"}


class Stack:
    def __init__(
        self, kafka: str, redis_url: str, name: str, tmp: Path, hook_url: str, **overrides: Any
    ) -> None:
        self.kafka, self.prefix = kafka, f"{name}."
        operators = tmp / "operators.yaml"
        operators.write_text(
            yaml.safe_dump(
                {"operators": {"lan": {"name": "Lan", "api_keys_sha256": [hash_api_key(KEY)]}}}
            )
        )
        self.settings = AlertsSettings.model_validate(
            {
                "KAFKA_BOOTSTRAP_SERVERS": kafka,
                "REDIS_URL": redis_url,
                "IOC_TOPIC_PREFIX": self.prefix,
                "app_id": f"{name}-alerts",
                "redis_prefix": f"{name}:alerts:",
                "operators_file": operators,
                "today": TODAY,
                "sweep_seconds": 0.5,
                "webhook_urls": [hook_url],
                "webhook_group_wait_seconds": 0.2,
                "webhook_group_interval_seconds": 0.5,
                **overrides,
            }
        )

    def serve(self) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        return serving(create_app(self.settings), free_port())

    async def publish(self, topic: str, records: list[tuple[bytes, bytes, list[Any]]]) -> None:
        """In one go, as the indicators worker publishes a batch's snapshots."""
        producer = new_producer(self.kafka)
        await producer.start()
        try:
            for key, value, headers in records:
                await producer.send(self.prefix + topic, value, key=key, headers=headers)
            await producer.flush()
        finally:
            await producer.stop()

    async def series(
        self, indicator: str, values: dict[str, float], updated_at: datetime | None = None
    ) -> None:
        now = updated_at or datetime.now(UTC)
        snapshots = [
            KpiSnapshot(
                indicator=indicator,
                scope="org:quang-ngai",
                period=period,
                value=value,
                numerator=value,
                denominator=100,
                updated_at=now,
            )
            for period, value in values.items()
        ]
        await self.publish(
            KPI_SNAPSHOTS.name,
            [(s.key().encode(), s.model_dump_json().encode(), []) for s in snapshots],
        )


@pytest.fixture
async def hooks() -> AsyncIterator[tuple[Webhooks, str]]:
    receiver = Webhooks()
    port = free_port()
    async with serving(receiver.app, port):
        yield receiver, f"http://127.0.0.1:{port}/hook"


@pytest.fixture
async def stack(
    kafka_bootstrap: str,
    redis_url: str,
    unique_name: str,
    tmp_path: Path,
    hooks: tuple[Webhooks, str],
) -> Stack:
    made = Stack(kafka_bootstrap, redis_url, unique_name, tmp_path, hooks[1])
    await ensure_topics(kafka_bootstrap, ALL_TOPICS, prefix=made.prefix)
    return made


async def ready(client: httpx.AsyncClient) -> None:
    async def answered() -> bool:
        return (await client.get("/readyz")).status_code == 200

    await eventually(answered, within=30, every=0.1)


def follow_stream(client: httpx.AsyncClient, changes: list[dict[str, Any]]) -> "asyncio.Task[None]":
    """A live-stream client in the background, appending every change it receives."""

    async def follow() -> None:
        async with client.stream("GET", "/v1/alerts/stream", headers=AUTH) as response:
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    changes.append(json.loads(line[6:]))

    return asyncio.create_task(follow())


async def alerts_where(
    client: httpx.AsyncClient, match: Callable[[list[dict[str, Any]]], bool], **params: str
) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    async def found() -> bool:
        seen[:] = (await client.get("/v1/alerts", params=params, headers=AUTH)).json()["items"]
        return match(seen)

    await eventually(found, within=20, every=0.1, explain=lambda: f"(last: {seen})")
    return seen


DECLINING = {f"2025-0{m}": 58.0 - 3 * m for m in range(1, 7)}  # 55 → 40 %: off track for 70 %
RECOVERING = {f"2025-0{m}": 60.0 + 3 * m for m in range(1, 7)}  # 63 → 78 %: achieved


async def test_a_target_going_off_track_fires_once_streams_and_resolves(
    stack: Stack, hooks: tuple[Webhooks, str]
) -> None:
    async with stack.serve() as client:
        await ready(client)
        assert (await client.get("/v1/alerts")).status_code == 401
        changes: list[dict[str, Any]] = []
        reader = follow_stream(client, changes)
        await stack.series("ONLINE_DOSSIERS", DECLINING)
        [alert] = await alerts_where(client, lambda a: len(a) == 1, target="online-dossiers")
        assert alert["state"] == "firing"
        assert alert["severity"] == "critical"
        assert alert["labels"]["kind"] == "target_risk"
        assert "70" in alert["details"]["explanation_vi"]
        target = (await client.get("/v1/targets/online-dossiers", headers=AUTH)).json()
        assert target["status"] == "off_track"
        assert [o["value"] for o in target["series"]] == list(DECLINING.values())

        receiver, _ = hooks
        await eventually(lambda: _true(_statuses(receiver) == {"firing"}), within=10)
        await stack.series("ONLINE_DOSSIERS", DECLINING)  # the same condition again
        await stack.series("ONLINE_DOSSIERS", RECOVERING)
        [alert] = await alerts_where(
            client, lambda a: a[0]["state"] == "resolved", target="online-dossiers"
        )
        await eventually(lambda: _true(len(changes) >= 2), within=10)
        reader.cancel()
        risk = [c for c in changes if c["alert"]["labels"].get("target") == "online-dossiers"]
        assert [c["action"] for c in risk] == ["fired", "resolved"]

        await eventually(lambda: _true(_statuses(receiver) >= {"firing", "resolved"}), within=10)
        payload = receiver.received[0]
        assert payload["version"] == "4"
        assert payload["alerts"][0]["labels"]["target"] == "online-dossiers"


async def test_a_snapshot_older_than_one_taken_is_ignored(stack: Stack) -> None:
    # Two workers publish the province's KPIs: the broker may take the older value last.
    async with stack.serve() as client:
        await ready(client)
        now = datetime.now(UTC)
        await stack.series("ONLINE_DOSSIERS", {"2025-06": 78.0}, updated_at=now)
        await stack.series("ONLINE_DOSSIERS", {"2025-06": 40.0}, updated_at=now - timedelta(1))
        # A later snapshot on the same partition: once taken, so was the stale one before it.
        marker = next(
            period
            for period in (f"{y}-{m:02d}" for y in range(2020, 2025) for m in range(1, 13))
            if _partition(f"ONLINE_DOSSIERS|org:quang-ngai|{period}")
            == _partition("ONLINE_DOSSIERS|org:quang-ngai|2025-06")
        )
        await stack.series("ONLINE_DOSSIERS", {marker: 50.0}, updated_at=now)

        async def taken() -> bool:
            target = (await client.get("/v1/targets/online-dossiers", headers=AUTH)).json()
            values.update({o["start"][:7]: o["value"] for o in target["series"]})
            return marker in values

        values: dict[str, float] = {}
        await eventually(taken, within=20, every=0.1, explain=lambda: f"(series: {values})")
        assert values["2025-06"] == 78.0


def _partition(kpi: str) -> int:
    partitions = list(range(KPI_SNAPSHOTS.partitions))
    return caching_partitioner(kpi.encode(), partitions, partitions)


async def test_operators_acknowledge_and_silence_with_an_audit_trail(stack: Stack) -> None:
    async with stack.serve() as client:
        await ready(client)
        await stack.series("ONLINE_DOSSIERS", DECLINING)
        [alert] = await alerts_where(client, lambda a: len(a) == 1, target="online-dossiers")
        fp = alert["fingerprint"]
        acked = await client.post(
            f"/v1/alerts/{fp}/acknowledge", json={"comment": "Sở TT&TT đang rà soát"}, headers=AUTH
        )
        assert acked.json()["state"] == "acknowledged"
        silence = await client.post(
            "/v1/silences",
            json={"matchers": [{"label": "target", "value": "online-dossiers"}], "minutes": 60},
            headers=AUTH,
        )
        assert silence.status_code == 201
        [seen] = (
            await client.get("/v1/alerts", params={"state": "acknowledged"}, headers=AUTH)
        ).json()["items"]
        assert seen["silenced"] is True
        # The evaluator may also have "updated" the explanation as the rest of the series came in.
        audit = [(e["actor"], e["action"], e["comment"]) for e in seen["audit"]]
        assert [entry for entry in audit if entry[1] != "updated"] == [
            ("ioc", "fired", ""),
            ("lan", "acknowledged", "Sở TT&TT đang rà soát"),
        ]
        missing = await client.post("/v1/alerts/nope/acknowledge", json={}, headers=AUTH)
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"


async def test_an_overdue_dossier_and_a_late_report_raise_their_alerts(stack: Stack) -> None:
    document = json.loads(
        (ROOT / "contracts/examples/valid/dossier-accepted-online.json").read_text()
    )
    overdue = parse_event(document | {"data": document["data"] | {"dossier_id": "LATE-1"}})
    record = to_kafka_record(overdue)  # due 04/03/2025, never finished
    async with stack.serve() as client:
        await ready(client)
        await stack.publish(DOSSIER_EVENTS.name, [(record.key, record.value, list(record.headers))])
        # DTI 2023 was due by mid-September 2024 (a year, 200 days of publication, the grace)
        await stack.series("DTI", {"2022": 0.45})
        found = await alerts_where(client, lambda a: len(a) >= 2)
        kinds = {a["labels"]["kind"]: a for a in found}
        assert kinds["dossiers_overdue"]["labels"]["agency"] == "ubnd.cam-thanh"
        assert "LATE-1" in kinds["dossiers_overdue"]["details"]["ids"]
        assert kinds["stale_data"]["labels"]["target"] == "dti"


async def test_a_restart_keeps_every_alert_and_notifies_nothing_twice(
    stack: Stack, hooks: tuple[Webhooks, str]
) -> None:
    receiver, _ = hooks
    async with stack.serve() as client:
        await ready(client)
        await stack.series("ONLINE_DOSSIERS", DECLINING)
        [before] = await alerts_where(client, lambda a: len(a) == 1, target="online-dossiers")
        await client.post(f"/v1/alerts/{before['fingerprint']}/acknowledge", json={}, headers=AUTH)
        await eventually(lambda: _true(len(receiver.received) == 1), within=10)
    async with stack.serve() as client:
        await ready(client)
        [after] = await alerts_where(client, lambda a: len(a) == 1, target="online-dossiers")
        assert after["state"] == "acknowledged"
        assert after["audit"] == [*before["audit"], after["audit"][-1]]
        # A new alert after the restart: anything the restart re-sent would have come first.
        await stack.series("DTI", {"2023": 0.45})
        await eventually(lambda: _true(len(receiver.received) >= 2), within=10)
        told = [a["labels"]["target"] for p in receiver.received for a in p["alerts"]]
        assert told.count("online-dossiers") == 1


def _statuses(receiver: Webhooks) -> set[str]:
    return {p["status"] for p in receiver.received}


async def _true(value: bool) -> bool:
    return value


async def changes_after(
    client: httpx.AsyncClient, last_id: str, wanted: Callable[[dict[str, Any]], bool]
) -> list[tuple[str, dict[str, Any]]]:
    """The stream's changes after `last_id` (as a reconnecting EventSource sends it in
    Last-Event-ID), up to the first one `wanted`."""
    seen: list[tuple[str, dict[str, Any]]] = []
    headers = AUTH | {"Last-Event-ID": last_id}
    async with asyncio.timeout(20), client.stream("GET", "/v1/alerts/stream", headers=headers) as r:
        entry_id = ""
        async for line in r.aiter_lines():
            if line.startswith("id: "):
                entry_id = line[4:]
            elif line.startswith("data: "):
                seen.append((entry_id, json.loads(line[6:])))
                if wanted(seen[-1][1]):
                    return seen
    return seen


async def test_a_client_resumes_the_stream_from_its_last_event_id(stack: Stack) -> None:
    def about(action: str) -> Callable[[dict[str, Any]], bool]:
        return lambda c: c["action"] == action and c["alert"]["labels"]["kind"] == "target_risk"

    async with stack.serve() as client:
        await ready(client)
        await stack.series("ONLINE_DOSSIERS", DECLINING)
        before = await changes_after(client, "0-0", about("fired"))
        last_id = before[-1][0]
        await stack.series("ONLINE_DOSSIERS", RECOVERING)  # while the client is away
        await alerts_where(client, lambda a: a[0]["state"] == "resolved", target="online-dossiers")
        after = await changes_after(client, last_id, about("resolved"))
        assert [c["action"] for _, c in after if about("fired")(c)] == []  # nothing twice
        assert about("resolved")(after[-1][1])
        assert all(_order(entry_id) > _order(last_id) for entry_id, _ in after)


def _order(entry_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in entry_id.split("-"))


async def test_it_becomes_ready_while_snapshots_keep_arriving(stack: Stack) -> None:
    """Under a steady load the snapshot topic never runs dry: catching up means reaching the
    end it had when the service started."""
    await stack.series("DTI", {"2023": 0.45})
    publishing, published = True, 0

    async def steady() -> None:
        nonlocal published
        while publishing:
            published += 1
            await stack.series("ONLINE_DOSSIERS", {"2025-06": published / 1000})
            await asyncio.sleep(0.05)  # the load's pace, not a wait for a result

    load = asyncio.create_task(steady())
    try:
        await eventually(lambda: _true(published >= 3), within=10)  # the load is flowing
        async with stack.serve() as client:
            await ready(client)
    finally:
        publishing = False
        await load
