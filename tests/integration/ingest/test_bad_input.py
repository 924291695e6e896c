"""Every kind of bad request gets its 4xx problem+json naming the field; never a 5xx or 202."""

import json
from typing import Any

import pytest

from tests.integration.ingest.harness import StartIngest, example, headers

BATCH = "application/cloudevents-batch+json"


def with_data(**changes: Any) -> bytes:
    event = example("dossier-result-returned")
    return json.dumps(event | {"data": event["data"] | changes}).encode()


def event_with(**changes: Any) -> bytes:
    return json.dumps(example("dossier-result-returned") | changes).encode()


CASES = [
    # (case, content type, body, status, problem type, field at fault)
    ("malformed-json", None, b'{"specversion": "1.0", ', 400, "malformed-request", ""),
    ("wrong-content-type", "text/plain", b"hello", 415, "unsupported-media-type", "content-type"),
    (
        "unknown-type",
        None,
        json.dumps(example("dossier-result-returned", type="vn.ioc.dossier.deleted.v1")).encode(),
        422,
        "unknown-event-type",
        "type",
    ),
    ("schema-violation", None, with_data(status=11), 422, "invalid-event", "data.status"),
    (
        "cross-field-violation",
        None,
        with_data(due_at="2025-01-01T00:00:00+07:00"),
        422,
        "invalid-event",
        "data.due_at",
    ),
    # Extreme but well-formed: refused at the edge, so no consumer ever computes with them.
    (
        "received-in-year-9999",
        None,
        with_data(received_at="9999-12-31T23:59:59-12:00"),
        422,
        "invalid-event",
        "data.received_at",
    ),
    (
        "pause-until-9999",
        None,
        with_data(
            supplement_pauses=[
                {"requested_at": "2025-03-05T10:00:00+07:00", "resumed_at": "9999-01-01T00:00:00Z"}
            ]
        ),
        422,
        "invalid-event",
        "data.supplement_pauses.0.resumed_at",
    ),
    ("time-as-number", None, event_with(time=0), 422, "invalid-event", "time"),
    ("time-as-float", None, event_with(time=1.7e9), 422, "invalid-event", "time"),
    ("time-as-digits", None, event_with(time="1700000000"), 422, "invalid-event", "time"),
    ("time-in-future", None, event_with(time="2099-01-01T00:00:00Z"), 422, "invalid-event", "time"),
    ("status-as-text", None, with_data(status="2"), 422, "invalid-event", "data.status"),
    ("flag-as-text", None, with_data(digitised="yes"), 422, "invalid-event", "data.digitised"),
    ("flag-as-number", None, with_data(digitised=1), 422, "invalid-event", "data.digitised"),
    ("oversize-body", None, b" " * 70_000, 413, "payload-too-large", None),
    ("too-many-events", BATCH, json.dumps([{}] * 6).encode(), 413, "too-many-events", None),
    ("empty-batch", BATCH, b"[]", 400, "malformed-request", ""),
    ("batch-all-invalid", BATCH, json.dumps([{"id": 1}, 2]).encode(), 422, "invalid-batch", ""),
]


@pytest.mark.parametrize(
    ("content_type", "body", "status", "problem", "field"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_bad_input_gets_its_problem(
    start_ingest: StartIngest,
    content_type: str | None,
    body: bytes,
    status: int,
    problem: str,
    field: str | None,
) -> None:
    ingest = await start_ingest(max_event_bytes=65_536, max_batch_events=5)
    request_headers = headers() | ({"content-type": content_type} if content_type else {})

    response = await ingest.client.post("/v1/events", content=body, headers=request_headers)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    document = response.json()
    assert (document["type"], document["status"]) == (f"/problems/{problem}", status)
    if field is not None:
        assert field in [e["field"] for e in document["errors"]]
    assert await ingest.records("ioc.dossier-events.v1", wait=0.5) == []


async def test_missing_or_unknown_credentials_are_401(start_ingest: StartIngest) -> None:
    ingest = await start_ingest()
    body = json.dumps(example("dossier-result-returned"))
    anonymous = {"content-type": "application/cloudevents+json"}

    for extra in ({}, {"x-api-key": "ioc_guess"}, {"authorization": "Bearer abc.def.ghi"}):
        response = await ingest.client.post("/v1/events", content=body, headers=anonymous | extra)
        assert response.status_code == 401, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert "www-authenticate" in response.headers


async def test_agency_over_its_rate_limit_gets_429_with_retry_after(
    start_ingest: StartIngest,
) -> None:
    ingest = await start_ingest(
        rate_limit_events_per_second=1, rate_limit_burst=3, max_batch_events=3
    )
    batch = [example("dossier-result-returned") for _ in range(3)]

    first = await ingest.client.post("/v1/events", json=batch, headers=headers(content_type=BATCH))
    second = await ingest.client.post(
        "/v1/events", json=example("dossier-result-returned"), headers=headers()
    )
    other_agency = await ingest.client.post(
        "/v1/events", json=example("dossier-accepted-online"), headers=headers("ubnd.cam-thanh")
    )

    assert first.status_code == 202
    assert second.status_code == 429
    assert second.headers["content-type"] == "application/problem+json"
    assert int(second.headers["retry-after"]) >= 1
    assert other_agency.status_code == 202


async def test_health_is_anonymous_and_unknown_paths_are_problems(
    start_ingest: StartIngest,
) -> None:
    ingest = await start_ingest()
    assert (await ingest.client.get("/healthz")).json() == {"status": "ok"}
    ready = await ingest.client.get("/readyz")
    assert ready.json()["checks"] == {"kafka": True, "redis": True}
    missing = await ingest.client.get("/v1/nothing")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
