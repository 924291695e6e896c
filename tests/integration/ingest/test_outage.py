"""Kafka down: 503 with Retry-After within a bounded time, never a 202, and readiness says so
within seconds; then recovery."""

import asyncio
import time

from tests.infrastructure import StoppableKafka, eventually
from tests.integration.ingest.harness import StartIngest, example, headers


async def test_stopped_broker_means_503_then_recovery_without_loss_or_double(
    start_ingest: StartIngest, stoppable_kafka: StoppableKafka
) -> None:
    ingest = await start_ingest(kafka=stoppable_kafka.bootstrap, ack_timeout_seconds=2)
    before = example("dossier-result-returned")
    assert (
        await ingest.client.post("/v1/events", json=before, headers=headers())
    ).status_code == 202

    await asyncio.to_thread(stoppable_kafka.stop)
    stopped = time.monotonic()

    async def not_ready() -> bool:
        answer = await ingest.client.get("/readyz")
        return answer.status_code == 503 and answer.json()["checks"]["kafka"] is False

    await eventually(not_ready, within=5, every=0.2)
    assert time.monotonic() - stopped < 5  # the probe asks the broker, not the client's memory
    during = example("dossier-result-returned")
    started = time.monotonic()
    refused = await ingest.client.post("/v1/events", json=during, headers=headers())
    waited = time.monotonic() - started

    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) > 0
    assert waited < 6, f"answered after {waited:.1f}s"

    await asyncio.to_thread(stoppable_kafka.start)

    async def retried_and_taken() -> bool:  # the agency retries the same event, as told
        retry = await ingest.client.post("/v1/events", json=during, headers=headers())
        assert retry.status_code in (200, 202, 409, 503), retry.text
        return retry.status_code in (200, 202)

    await eventually(retried_and_taken, within=90, every=1)
    assert (await ingest.client.get("/readyz")).status_code == 200

    records = await ingest.records("ioc.dossier-events.v1", at_least=2)
    ids = [dict(r.headers)["ce_id"].decode() for r in records]
    assert sorted(ids) == sorted([before["id"], during["id"]])
