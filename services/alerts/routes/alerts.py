"""Alerts: filtered, one by one, their actions (acknowledge, assign, comment, resolve), silences,
and every change live (Server-Sent Events, resumable with Last-Event-ID). An alert has one JSON
shape here and on the stream (views.py)."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from domain.alerts.book import UnknownAlertError
from domain.alerts.model import AlertChange, AlertKind, Matcher, Severity, State, severity_rank
from infra.openapi import problem
from infra.problems import Problem, ProblemError
from services.alerts.deps import Desk, Service, Signed
from services.alerts.desk import Action
from services.alerts.views import alert_json, change_json, silence_json

router = APIRouter(tags=["alerts"])
HEARTBEAT_MS = 15_000
UNKNOWN_ALERT: dict[int | str, dict[str, Any]] = {404: problem("No such alert.")}
STREAM_ID = r"^[0-9]{1,20}-[0-9]{1,20}$"  # a change's id on the stream (a Redis stream entry id)


class Comment(BaseModel):
    comment: str = Field(default="", max_length=2000)


class Assignment(Comment):
    assignee: str = Field(min_length=1, max_length=100)


class SilenceRequest(Comment):
    matchers: list[Matcher] = Field(min_length=1)
    minutes: int = Field(gt=0, le=60 * 24 * 30, description="How long the silence lasts.")


@router.get("/v1/alerts", summary="Alerts, filtered; active first, most severe first")
async def alerts(
    desk: Desk,
    who: Signed,
    state: State | None = None,
    severity: Severity | None = None,
    kind: AlertKind | None = None,
    org_unit: str | None = None,
    agency: str | None = None,
    target: str | None = None,
) -> dict[str, Any]:
    labels = {"kind": kind, "org_unit": org_unit, "agency": agency, "target": target}
    found = desk.alerts(state, severity, labels)
    found.sort(key=lambda a: (not a.active, severity_rank(a.severity), -a.updated_at.timestamp()))
    return {"items": [alert_json(a, desk.silenced(a)) for a in found]}


@router.get("/v1/alerts/stream", summary="Every alert change, live (SSE)")
async def stream(
    request: Request,
    service: Service,
    who: Signed,
    since: Annotated[
        str | None,
        Query(pattern=STREAM_ID, description="Resume after this change id (as Last-Event-ID)."),
    ] = None,
    last_event_id: Annotated[str | None, Header(pattern=STREAM_ID)] = None,
) -> StreamingResponse:
    store, desk = service.store, service.desk
    start = last_event_id or since or await store.last_id()

    async def events() -> AsyncIterator[bytes]:
        position = start
        yield b"retry: 2000\n\n"
        while not await request.is_disconnected():
            found = await store.changes_after(position, HEARTBEAT_MS)
            if not found:
                yield b": heartbeat\n\n"
                continue
            for entry_id, change in found:
                position = entry_id
                shown = json.dumps(change_json(change, _silenced(desk, change)), ensure_ascii=False)
                yield f"id: {entry_id}\nevent: change\ndata: {shown}\n\n".encode()

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


@router.get("/v1/alerts/{fingerprint}", responses=UNKNOWN_ALERT)
async def one_alert(fingerprint: str, desk: Desk, who: Signed) -> dict[str, Any]:
    alert = desk.alert(fingerprint)
    if alert is None:
        raise _unknown(fingerprint)
    return alert_json(alert, desk.silenced(alert))


@router.post("/v1/alerts/{fingerprint}/acknowledge", responses=UNKNOWN_ALERT)
async def acknowledge(fingerprint: str, body: Comment, desk: Desk, who: Signed) -> Any:
    return await _act(
        desk, fingerprint, lambda b, now: b.acknowledge(fingerprint, who.id, body.comment, now)
    )


@router.post("/v1/alerts/{fingerprint}/assign", responses=UNKNOWN_ALERT)
async def assign(fingerprint: str, body: Assignment, desk: Desk, who: Signed) -> Any:
    return await _act(
        desk,
        fingerprint,
        lambda b, now: b.assign(fingerprint, body.assignee, who.id, body.comment, now),
    )


@router.post("/v1/alerts/{fingerprint}/comment", responses=UNKNOWN_ALERT)
async def comment(fingerprint: str, body: Comment, desk: Desk, who: Signed) -> Any:
    return await _act(
        desk, fingerprint, lambda b, now: b.comment(fingerprint, who.id, body.comment, now)
    )


@router.post("/v1/alerts/{fingerprint}/resolve", responses=UNKNOWN_ALERT)
async def resolve(fingerprint: str, body: Comment, desk: Desk, who: Signed) -> Any:
    return await _act(
        desk, fingerprint, lambda b, now: b.resolve(fingerprint, who.id, body.comment, now)
    )


@router.post("/v1/silences", status_code=201)
async def silence(body: SilenceRequest, desk: Desk, who: Signed) -> dict[str, Any]:
    ends = datetime.now(UTC) + timedelta(minutes=body.minutes)
    change: AlertChange = await desk.act(
        lambda b, now: b.silence(body.matchers, ends, who.id, body.comment, now)
    )
    assert change.silence is not None
    return silence_json(change.silence)


@router.get("/v1/silences")
async def silences(desk: Desk, who: Signed) -> dict[str, Any]:
    return {"items": [silence_json(s) for s in desk.silences()]}


async def _act(desk: Desk, fingerprint: str, action: Action) -> dict[str, Any]:
    try:
        change = await desk.act(action)
    except UnknownAlertError:
        raise _unknown(fingerprint) from None
    assert change.alert is not None
    return alert_json(change.alert, desk.silenced(change.alert))


def _silenced(desk: Desk, change: AlertChange) -> bool:
    return change.alert is not None and desk.silenced(change.alert)


def _unknown(fingerprint: str) -> ProblemError:
    return ProblemError(Problem("not-found", "Unknown alert", 404, f"no alert {fingerprint}"))
