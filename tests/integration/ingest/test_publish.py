"""POST /v1/events through a real server to the real broker: what a 202 promises."""

import asyncio
import json

import httpx

from contracts import MODELS_BY_TYPE
from tests.integration.ingest.harness import KEYS, StartIngest, example, headers

DOSSIERS = "ioc.dossier-events.v1"
FEEDBACK = "ioc.feedback-events.v1"


async def test_accepted_event_is_on_its_topic_with_ce_headers_and_trace_context(
    start_ingest: StartIngest,
) -> None:
    ingest = await start_ingest()
    event = example("dossier-result-returned")
    caller_trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    response = await ingest.client.post(
        "/v1/events", json=event, headers=headers() | {"traceparent": caller_trace}
    )

    assert response.status_code == 202, response.text
    assert response.json() == {
        "status": "accepted",
        "id": event["id"],
        "source": event["source"],
        "type": event["type"],
    }
    [record] = await ingest.records(DOSSIERS, at_least=1)
    assert record.key == event["data"]["dossier_id"].encode()
    assert json.loads(record.value)["dossier_id"] == event["data"]["dossier_id"]
    record_headers = dict(record.headers)
    assert record_headers["ce_id"] == event["id"].encode()
    assert record_headers["ce_source"] == event["source"].encode()
    assert record_headers["ce_type"] == event["type"].encode()
    assert record_headers["ce_specversion"] == b"1.0"
    # The caller's trace continues: same trace id, a new span of the ingest service.
    assert record_headers["traceparent"].decode().split("-")[1] == caller_trace.split("-")[1]


async def test_binary_mode_event_is_accepted(start_ingest: StartIngest) -> None:
    ingest = await start_ingest()
    event = example("feedback-opened")  # the province's feedback system, for a department
    ce = {f"ce-{k}": v for k, v in event.items() if k not in ("data", "datacontenttype")}
    feedback_system = headers("van-phong-ubnd-tinh", content_type="application/json")

    response = await ingest.client.post(
        "/v1/events", json=event["data"], headers=feedback_system | ce
    )

    assert response.status_code == 202, response.text
    [record] = await ingest.records(FEEDBACK, at_least=1)
    assert dict(record.headers)["ce_id"] == event["id"].encode()


async def test_batch_answers_per_event_and_keeps_the_good_ones(start_ingest: StartIngest) -> None:
    ingest = await start_ingest()
    good = [example("dossier-result-returned") for _ in range(3)]
    bad = example("dossier-result-returned")
    bad["data"] = bad["data"] | {"status": 11}
    batch = [good[0], bad, good[1], good[2]]

    response = await ingest.client.post(
        "/v1/events", json=batch, headers=headers(content_type="application/cloudevents-batch+json")
    )

    assert response.status_code == 202, response.text
    body = response.json()
    assert body["counts"] == {"accepted": 3, "duplicate": 0, "rejected": 1, "retry": 0}
    assert [r["status"] for r in body["results"]] == [
        "accepted",
        "rejected",
        "accepted",
        "accepted",
    ]
    assert body["results"][1]["problem"]["errors"][0]["field"] == "data.status"
    records = await ingest.records(DOSSIERS, at_least=3)
    assert sorted(dict(r.headers)["ce_id"].decode() for r in records) == sorted(
        e["id"] for e in good
    )


async def test_retry_is_a_duplicate_and_produced_once(start_ingest: StartIngest) -> None:
    ingest = await start_ingest()
    event = example("dossier-accepted-online")
    own = headers("ubnd.cam-thanh")

    first = await ingest.client.post("/v1/events", json=event, headers=own)
    retry = await ingest.client.post("/v1/events", json=event, headers=own)

    assert (first.status_code, retry.status_code) == (202, 200)
    assert retry.json()["status"] == "duplicate"
    assert len(await ingest.records(DOSSIERS, at_least=1)) == 1


async def test_racing_retries_produce_the_event_once(start_ingest: StartIngest) -> None:
    ingest = await start_ingest()
    event = example("dossier-accepted-online")
    own = headers("ubnd.cam-thanh")

    async def send() -> httpx.Response:
        return await ingest.client.post("/v1/events", json=event, headers=own)

    responses = await asyncio.gather(*(send() for _ in range(12)))

    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 11 + [202], [r.text for r in responses]
    assert len(await ingest.records(DOSSIERS, at_least=1)) == 1


async def test_same_id_with_different_content_is_409(start_ingest: StartIngest) -> None:
    ingest = await start_ingest()
    event = example("dossier-result-returned")
    await ingest.client.post("/v1/events", json=event, headers=headers())

    changed = event | {"subject": "changed"}
    response = await ingest.client.post("/v1/events", json=changed, headers=headers())

    assert response.status_code == 409
    assert response.json()["type"] == "/problems/id-reused"


async def test_publishing_for_another_agency_is_403_and_produces_nothing(
    start_ingest: StartIngest,
) -> None:
    ingest = await start_ingest()
    event = example("dossier-result-returned")  # source /agencies/so-tu-phap/…

    response = await ingest.client.post("/v1/events", json=event, headers=headers("ubnd.cam-thanh"))

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "source"
    assert await ingest.records(DOSSIERS, wait=1) == []


async def test_metrics_count_events_by_type_agency_and_outcome(start_ingest: StartIngest) -> None:
    ingest = await start_ingest()
    event = example("dossier-result-returned")
    await ingest.client.post("/v1/events", json=event, headers=headers())
    await ingest.client.post("/v1/events", json=event, headers=headers())

    async with httpx.AsyncClient() as scraper:
        text = (await scraper.get(f"http://127.0.0.1:{ingest.settings.metrics_port}/metrics")).text

    labels = 'agency="so-tu-phap",outcome="{}",type="vn.ioc.dossier.status-changed.v1"'
    assert f"ioc_ingest_events_total{{{labels.format('accepted')}}} 1.0" in text
    assert f"ioc_ingest_events_total{{{labels.format('duplicate')}}} 1.0" in text
    assert "ioc_ingest_produce_duration_seconds_count" in text
    assert KEYS["so-tu-phap"] not in text


async def test_a_request_without_trace_context_starts_a_trace_carried_to_kafka(
    start_ingest: StartIngest,
) -> None:
    ingest = await start_ingest()
    event = example("dossier-result-returned")

    assert (
        await ingest.client.post("/v1/events", json=event, headers=headers())
    ).status_code == 202

    [record] = await ingest.records(DOSSIERS, at_least=1)
    version, trace_id, span_id, flags = dict(record.headers)["traceparent"].decode().split("-")
    assert version == "00"
    assert int(flags, 16) & 1, "sampled"
    assert int(trace_id, 16) != 0
    assert int(span_id, 16) != 0


async def test_unreachable_redis_means_503_never_202(start_ingest: StartIngest) -> None:
    ingest_without_redis = await start_ingest(REDIS_URL="redis://127.0.0.1:9/0", ready=False)
    event = example("dossier-result-returned")

    response = await ingest_without_redis.client.post("/v1/events", json=event, headers=headers())
    ready = await ingest_without_redis.client.get("/readyz")

    assert response.status_code == 503, response.text
    assert response.headers["retry-after"]
    assert ready.status_code == 503
    assert ready.json()["checks"]["redis"] is False
    assert await ingest_without_redis.records(DOSSIERS, wait=0.5) == []


async def test_the_event_types_and_their_schemas_are_served(start_ingest: StartIngest) -> None:
    ingest = await start_ingest()
    listed = (await ingest.client.get("/v1/event-types")).json()["items"]
    assert {t["type"] for t in listed} == set(MODELS_BY_TYPE)
    schema = await ingest.client.get(listed[0]["schema"])
    assert schema.headers["content-type"] == "application/schema+json"
    assert schema.json()["$id"].endswith(listed[0]["type"])
    unknown = await ingest.client.get("/v1/event-types/vn.ioc.nothing.v1/schema")
    assert (unknown.status_code, unknown.headers["content-type"]) == (
        404,
        "application/problem+json",
    )
