"""The alert service's edges on the real broker and Redis: records its followers cannot take go
to the dead-letter topic while the rest is taken; bad filters and resume ids are 422; every
response carries the console's security headers; a cookie change from another origin is
refused; readiness follows the broker."""

import asyncio
import json
import time
from pathlib import Path

from contracts import ALL_TOPICS, parse_event, to_kafka_record
from contracts.topics import DEAD_LETTERS, DOSSIER_EVENTS, KPI_SNAPSHOTS
from infra.kafka import ensure_topics
from tests.infrastructure import StoppableKafka, eventually
from tests.integration.alerts.test_service import (
    AUTH,
    DECLINING,
    KEY,
    Stack,
    alerts_where,
    ready,
)
from tests.integration.ingest.harness import records_on

ROOT = Path(__file__).resolve().parents[3]


async def test_unreadable_records_are_dead_lettered_and_the_rest_is_taken(stack: Stack) -> None:
    dossier = json.loads(
        (ROOT / "contracts/examples/valid/dossier-accepted-online.json").read_text()
    )
    good = to_kafka_record(parse_event(dossier))
    async with stack.serve() as client:
        await ready(client)
        # A snapshot that is not one, then a series that turns the target (same batch).
        await stack.publish(KPI_SNAPSHOTS.name, [(b"ONLINE_DOSSIERS|x", b"{not json", [])])
        await stack.series("ONLINE_DOSSIERS", DECLINING)
        # An event far outside the contract's window (published past ingest), then a valid one.
        far = good.value.replace(b'"received_at":"2025', b'"received_at":"9999')
        assert far != good.value
        await stack.publish(
            DOSSIER_EVENTS.name,
            [(good.key, far, list(good.headers)), (good.key, good.value, list(good.headers))],
        )
        [alert] = await alerts_where(client, lambda a: len(a) == 1, target="online-dossiers")
        assert alert["state"] == "firing"

        letters = await records_on(stack.kafka, stack.prefix + DEAD_LETTERS.name, at_least=2)
        reasons = {
            dict(r.headers)["ioc_dlq_topic"].decode(): dict(r.headers)["ioc_dlq_reason"].decode()
            for r in letters
        }
        assert set(reasons) == {
            stack.prefix + KPI_SNAPSHOTS.name,
            stack.prefix + DOSSIER_EVENTS.name,
        }
        assert "received_at" in reasons[stack.prefix + DOSSIER_EVENTS.name]
        assert {dict(r.headers)["ioc_dlq_consumer"] for r in letters} == {
            stack.settings.app_id.encode()
        }
        # The valid dossier was taken: its SLA clock runs (it is long overdue: an alert).
        await alerts_where(client, lambda a: len(a) == 1, kind="dossiers_overdue")


async def test_bad_filters_and_resume_ids_are_422_naming_the_parameter(stack: Stack) -> None:
    async with stack.serve() as client:
        await ready(client)
        for path, params, headers, field in (
            ("/v1/targets", {"status": "bogus"}, {}, "status"),
            ("/v1/alerts", {"kind": "bogus"}, {}, "kind"),
            ("/v1/alerts/stream", {"since": "garbage"}, {}, "since"),
            ("/v1/alerts/stream", {}, {"last-event-id": "'; DROP"}, "last-event-id"),
        ):
            answer = await client.get(path, params=params, headers=AUTH | headers)
            assert answer.status_code == 422, (path, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert any(field in e["field"] for e in answer.json()["errors"]), answer.json()


async def test_every_response_is_secured_and_cookie_changes_need_the_console_origin(
    stack: Stack,
) -> None:
    async with stack.serve() as client:
        await ready(client)
        for path in ("/", "/v1/alerts", "/static/console.js", "/v1/nowhere"):
            answer = await client.get(path, headers=AUTH)
            assert "default-src 'self'" in answer.headers["content-security-policy"], path
            assert answer.headers["x-content-type-options"] == "nosniff", path
            assert answer.headers["referrer-policy"] == "same-origin", path

        signed = await client.post("/v1/session", json={"api_key": KEY})
        assert signed.status_code == 200
        cookie = {"cookie": f"ioc_session={signed.cookies['ioc_session']}"}
        own = {"origin": str(client.base_url).rstrip("/")}
        for foreign in ({"origin": "https://evil.example"}, {}, {"origin": "null"}):
            refused = await client.post(
                "/v1/alerts/nope/comment", json={"comment": "x"}, headers=cookie | foreign
            )
            assert refused.status_code == 403, foreign
            assert refused.json()["type"] == "/problems/cross-origin"
        # From the console's own origin the change goes through (to a 404: no such alert).
        passed = await client.post(
            "/v1/alerts/nope/comment", json={"comment": "x"}, headers=cookie | own
        )
        assert passed.status_code == 404
        # An API key is no cookie: a program need not send an Origin.
        assert (
            await client.post("/v1/alerts/nope/comment", json={}, headers=AUTH)
        ).status_code == 404


async def test_readiness_follows_the_broker(
    stoppable_kafka: StoppableKafka, redis_url: str, unique_name: str, tmp_path: Path
) -> None:
    stack = Stack(
        stoppable_kafka.bootstrap, redis_url, unique_name, tmp_path, "http://127.0.0.1:9/"
    )
    await ensure_topics(stack.kafka, ALL_TOPICS, prefix=stack.prefix)
    async with stack.serve() as client:
        await ready(client)
        await asyncio.to_thread(stoppable_kafka.stop)
        stopped = time.monotonic()

        async def not_ready() -> bool:
            answer = await client.get("/readyz")
            return answer.status_code == 503 and answer.json()["checks"]["kafka"] is False

        await eventually(not_ready, within=5, every=0.2)
        assert time.monotonic() - stopped < 5
        await asyncio.to_thread(stoppable_kafka.start)
        await ready(client)
        answer = await client.get("/readyz")
        assert answer.json()["checks"] == {"caught_up": True, "kafka": True, "redis": True}
