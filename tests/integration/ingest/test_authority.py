"""Authority over the data, through a real ingest server: with its own key and its own source, an
agency still cannot file dossiers for another agency or a unit it does not serve, change
another agency's dossier, or report an indicator another department is responsible for; each
attempt is 403 problem+json naming the field, counted by its status, and nothing reaches Kafka."""

import re
from datetime import datetime
from typing import Any

import httpx

from contracts.values import VIETNAM
from tests.integration.ingest.harness import Ingest, StartIngest, example, headers

DOSSIERS, REPORTS = "ioc.dossier-events.v1", "ioc.indicator-reports.v1"


def dossier(**data: Any) -> dict[str, Any]:
    event = example("dossier-result-returned")  # so-tu-phap's, at the province
    return event | {"data": event["data"] | data}


def report(agency: str, **data: Any) -> dict[str, Any]:
    event = example("indicator-dti-yearly", source=f"/agencies/{agency}/bao-cao")
    return event | {"data": event["data"] | {"agency_code": agency} | data}


async def refused_for(ingest: Ingest, event: dict[str, Any], agency: str) -> tuple[int, str]:
    """(status, field at fault) of the answer to the event sent with the agency's key."""
    answer = await ingest.client.post("/v1/events", json=event, headers=headers(agency))
    assert answer.headers["content-type"] == "application/problem+json", answer.text
    problem = answer.json()
    return answer.status_code, problem["errors"][0]["field"]


async def test_an_agency_writes_only_its_own_dossiers_units_and_indicators(
    start_ingest: StartIngest,
) -> None:
    ingest = await start_ingest()
    attempts = [
        # (what, event, sent by, status, field)
        (
            "a dossier of an agency that does not exist",
            dossier(agency_code="so-ma"),
            "so-tu-phap",
            403,
            "data.agency_code",
        ),
        (
            "another department's dossier",
            dossier(agency_code="so-y-te"),
            "so-tu-phap",
            403,
            "data.agency_code",
        ),
        (
            "a unit the province does not have",
            dossier(org_unit_code="atlantis"),
            "so-tu-phap",
            403,
            "data.org_unit_code",
        ),
        (
            "a commune's dossier at another commune",
            example("dossier-accepted-online")
            | {"data": example("dossier-accepted-online")["data"] | {"org_unit_code": "nghia-lo"}},
            "ubnd.cam-thanh",
            403,
            "data.org_unit_code",
        ),
        (
            "another department's indicator",
            report("so-tu-phap"),
            "so-tu-phap",
            403,
            "data.indicator_code",
        ),
        (
            "a derived indicator, as if reported",
            report("trung-tam-phuc-vu-hcc", indicator_code="ONLINE_DOSSIERS"),
            "trung-tam-phuc-vu-hcc",
            403,
            "data.indicator_code",
        ),
        (
            "a report for a period to come",
            report("so-khoa-hoc-cong-nghe", period="2099"),
            "so-khoa-hoc-cong-nghe",
            422,
            "data.period",
        ),
        (
            "a report dated in the future, to pin its value",
            report("so-khoa-hoc-cong-nghe") | {"time": "2099-12-31T00:00:00+07:00"},
            "so-khoa-hoc-cong-nghe",
            422,
            "time",
        ),
        (
            "a source that climbs out of its prefix",
            dossier() | {"source": "/agencies/so-tu-phap/../so-y-te/mot-cua"},
            "so-tu-phap",
            403,
            "source",
        ),
    ]
    for what, event, agency, status, field in attempts:
        assert await refused_for(ingest, event, agency) == (status, field), what

    assert await ingest.records(DOSSIERS, wait=0.5) == []
    assert await ingest.records(REPORTS, wait=0.5) == []
    counted = await _requests_counted(ingest)
    assert counted.get("403", 0) == 7, counted  # refusals by their status, not as "error"
    assert counted.get("422", 0) == 2, counted


async def test_only_the_agency_that_files_a_dossier_may_change_it(
    start_ingest: StartIngest,
) -> None:
    ingest = await start_ingest()
    opened = dossier(status=4, finished_at=None, returned_at=None)
    sent = await ingest.client.post("/v1/events", json=opened, headers=headers("so-tu-phap"))
    assert sent.status_code == 202, sent.text

    # so-y-te, with its own key, source and agency code, "closes" so-tu-phap's dossier.
    closing = example("dossier-result-returned", source="/agencies/so-y-te/mot-cua")
    closing["data"] = closing["data"] | {
        "dossier_id": opened["data"]["dossier_id"],
        "agency_code": "so-y-te",
    }
    assert await refused_for(ingest, closing, "so-y-te") == (403, "data.dossier_id")

    # The agency that filed it closes it.
    closed = dossier(dossier_id=opened["data"]["dossier_id"])
    answer = await ingest.client.post("/v1/events", json=closed, headers=headers("so-tu-phap"))
    assert answer.status_code == 202, answer.text
    records = await ingest.records(DOSSIERS, at_least=2)
    assert [dict(r.headers)["ce_source"] for r in records] == [b"/agencies/so-tu-phap/mot-cua"] * 2


async def test_the_province_systems_publish_for_every_agency_and_keys_go_as_bearer(
    start_ingest: StartIngest,
) -> None:
    ingest = await start_ingest()
    feedback = example("feedback-opened")  # the feedback system, for a department
    bearer = {
        "authorization": f"Bearer {headers('van-phong-ubnd-tinh')['x-api-key']}",
        "content-type": "application/cloudevents+json",
    }
    answer = await ingest.client.post("/v1/events", json=feedback, headers=bearer)
    assert answer.status_code == 202, answer.text
    dti = report("so-khoa-hoc-cong-nghe", period=str(datetime.now(VIETNAM).year - 1))
    answer = await ingest.client.post(
        "/v1/events", json=dti, headers=headers("so-khoa-hoc-cong-nghe")
    )
    assert answer.status_code == 202, answer.text


async def _requests_counted(ingest: Ingest) -> dict[str, float]:
    """ioc_ingest_requests_total by status code, from the service's metrics endpoint."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"http://127.0.0.1:{ingest.settings.metrics_port}/metrics")).text
    counted: dict[str, float] = {}
    for code, value in re.findall(r'ioc_ingest_requests_total\{code="(\d+)",[^}]*\} (\S+)', text):
        counted[code] = counted.get(code, 0) + float(value)
    return counted
