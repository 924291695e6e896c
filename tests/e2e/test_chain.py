"""End to end, thin: events through the ingest API, the indicators worker (its own process),
the KPI snapshot, the alert service and its live stream; and one trace from the agency's
request through the KPI update to the alert (the worker exports its spans over OTLP)."""

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from domain.calendar import VIETNAM
from infra.telemetry import configure_tracing
from tests.infrastructure import eventually
from tests.integration.alerts.test_service import AUTH, Stack, follow_stream, ready
from tests.integration.indicators.test_worker import Stack as Workers
from tests.integration.ingest.harness import StartIngest, headers
from tests.otlp import Collector, ReceivedSpan

ROOT = Path(__file__).resolve().parents[2]


def dti(value: float) -> dict[str, Any]:
    """The province's DTI for the last closed year, reported now."""
    now = datetime.now(VIETNAM)
    return {
        "specversion": "1.0",
        "id": f"dti-{uuid.uuid4().hex[:8]}",
        "source": "/agencies/so-khoa-hoc-cong-nghe/bao-cao",
        "type": "vn.ioc.indicator.value-reported.v1",
        "time": now.isoformat(),
        "data": {
            "indicator_code": "DTI",
            "org_unit_code": "quang-ngai",
            "period": str(now.year - 1),
            "value": value,
            "unit": "index",
            "agency_code": "so-khoa-hoc-cong-nghe",
        },
    }


@pytest.fixture
def spans() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    configure_tracing("e2e").add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


async def test_a_report_through_ingest_turns_a_target_and_reaches_the_alert_stream(
    kafka_bootstrap: str,
    redis_url: str,
    unique_name: str,
    tmp_path: Path,
    start_ingest: StartIngest,
    spans: InMemorySpanExporter,
    otlp_collector: Collector,
) -> None:
    ingest = await start_ingest()
    workers = Workers(kafka_bootstrap, redis_url, unique_name, tmp_path)
    workers.start_worker(
        f"w-{uuid.uuid4().hex[:6]}",
        f"{unique_name}:kpi:",
        OTEL_EXPORTER_OTLP_ENDPOINT=otlp_collector.endpoint,
        OTEL_BSP_SCHEDULE_DELAY="100",
    )
    alerts = Stack(
        kafka_bootstrap,
        redis_url,
        unique_name,
        tmp_path,
        "http://127.0.0.1:9/",
        webhook_urls=[],
        today=None,
    )
    try:
        async with alerts.serve() as client:
            await ready(client)
            changes: list[dict[str, Any]] = []
            reader = follow_stream(client, changes)
            # Last year's DTI: 0.2 misses its milestone (final: its own figure); the corrected
            # 0.9 achieves it, and the alert turns to the next milestone's forecast.
            for value, status in ((0.2, "missed"), (0.9, "achieved")):
                sent = await ingest.client.post(
                    "/v1/events",
                    content=json.dumps(dti(value)),
                    headers=headers("so-khoa-hoc-cong-nghe"),
                )
                assert sent.status_code == 202

                async def settled(value: float = value) -> bool:
                    return any(
                        c["alert"]["labels"] == RISK
                        and (c["alert"]["details"]["status"] == "missed") == (value < 0.5)
                        for c in changes
                    )

                await eventually(settled, within=30, explain=lambda: str(changes))
                target = (await client.get("/v1/targets/dti", headers=AUTH)).json()
                assert target["results"][0]["status"] == status
                assert target["results"][0]["figure"]["value"] == value
            reader.cancel()
            assert target["latest"]["value"] == 0.9
            assert target["milestone"]["deadline"].startswith("2030")
            await _one_trace_through_the_worker(spans, otlp_collector.spans)

            # One trace: the agency's request, Kafka, the alert it caused (an overdue dossier).
            document = json.loads(
                (ROOT / "contracts/examples/valid/dossier-accepted-online.json").read_text()
            )
            dossier = f"E2E-{uuid.uuid4().hex[:6]}"
            late = document | {"id": dossier, "data": document["data"] | {"dossier_id": dossier}}
            late.pop("traceparent")
            sent = await ingest.client.post(
                "/v1/events", content=json.dumps(late), headers=headers("ubnd.cam-thanh")
            )
            assert sent.status_code == 202

            def overdue() -> list[Any]:
                return [
                    s
                    for s in spans.get_finished_spans()
                    if s.name == "alert.fired"
                    and (s.attributes or {}).get("ioc.alert.kind") == "dossiers_overdue"
                ]

            await eventually(lambda: _true(bool(overdue())), within=15)
            [fired] = overdue()
            [published] = [
                s
                for s in spans.get_finished_spans()
                if s.name == "ingest publish"
                and (s.attributes or {}).get("ioc.agency") == "ubnd.cam-thanh"
            ]
            assert fired.context is not None
            assert published.context is not None
            assert fired.context.trace_id == published.context.trace_id
    finally:
        workers.stop_all()


async def _one_trace_through_the_worker(
    spans: InMemorySpanExporter, exported: list[ReceivedSpan]
) -> None:
    """The low DTI report: the agency's request (ingest, here), the KPI update and the snapshot
    it published (the worker process, over OTLP), the target alert it fired (here)."""
    request = next(
        s
        for s in spans.get_finished_spans()
        if s.name == "ingest publish"
        and (s.attributes or {}).get("ioc.agency") == "so-khoa-hoc-cong-nghe"
    )
    [fired] = [
        s
        for s in spans.get_finished_spans()
        if s.name == "alert.fired" and (s.attributes or {}).get("ioc.alert.kind") == "target_risk"
    ]
    assert request.context is not None
    assert fired.context is not None
    assert fired.parent is not None
    trace_id = f"{request.context.trace_id:032x}"
    assert f"{fired.context.trace_id:032x}" == trace_id

    def in_trace(name: str) -> list[ReceivedSpan]:
        return [s for s in exported if s.name == name and s.trace_id == trace_id]

    await eventually(
        lambda: _true(bool(in_trace("kpi.snapshot publish"))),
        within=10,
        explain=lambda: str(exported),
    )
    [update] = in_trace("kpi.update")
    [published] = in_trace("kpi.snapshot publish")
    assert {update.service, published.service} == {"ioc-indicators"}
    assert update.parent_span_id == f"{request.context.span_id:016x}"
    assert published.parent_span_id == update.parent_span_id  # both continue the request
    assert f"{fired.parent.span_id:016x}" == published.span_id


RISK = {
    "kind": "target_risk",
    "target": "dti",
    "indicator": "DTI",
    "org_unit": "quang-ngai",
    "agency": "so-khoa-hoc-cong-nghe",
}


async def _true(value: bool) -> bool:
    return value
