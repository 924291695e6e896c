"""The operator API: targets with their status, forecast and explanation; alerts with filters,
actions (acknowledge, assign, comment, resolve, silence) and a live stream (Server-Sent Events,
resumable with Last-Event-ID). Every route but health needs an operator."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from domain.alerts.book import UnknownAlertError
from domain.alerts.model import Alert, AlertChange, AlertKind, Matcher, Severity, State
from domain.targets.assess import TargetStatus
from infra.health import readiness, redis_answers
from infra.openapi import NOT_READY, problem
from infra.problems import Problem, ProblemError
from services.alerts.evaluator import TargetView
from services.alerts.operators import SESSION_COOKIE, Operator, authenticate

SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}
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


class SignIn(BaseModel):
    api_key: str = Field(min_length=1, max_length=200)


async def operator(request: Request) -> Operator:
    state = request.app.state
    return await authenticate(request.headers, request.cookies, state.operators, state.sessions)


Signed = Annotated[Operator, Depends(operator)]
router = APIRouter()


@router.post(
    "/v1/session",
    tags=["session"],
    summary="Sign in with an operator API key",
    responses={401: problem("Unknown API key.")},
)
async def sign_in(body: SignIn, request: Request, response: Response) -> dict[str, str]:
    found = request.app.state.operators.by_api_key(body.api_key)
    if found is None:
        raise ProblemError(Problem("unauthorized", "Unknown API key", 401, "no operator has it"))
    token = await request.app.state.sessions.open(found)
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", secure=secure, max_age=12 * 3600
    )
    return {"id": found.id, "name": found.name}


@router.delete("/v1/session", tags=["session"], status_code=204)
async def sign_out(request: Request, response: Response) -> None:
    if token := request.cookies.get(SESSION_COOKIE):
        await request.app.state.sessions.close(token)
    response.delete_cookie(SESSION_COOKIE)


@router.get("/v1/me", tags=["session"])
async def me(who: Signed) -> dict[str, str]:
    return {"id": who.id, "name": who.name}


@router.get("/v1/targets", tags=["targets"], summary="Every target with status and forecast")
async def targets(
    request: Request, who: Signed, status: TargetStatus | None = None
) -> dict[str, Any]:
    views = request.app.state.evaluator.views.values()
    items = [target_json(v, request) for v in views]
    if status:
        items = [t for t in items if t["status"] == status.value]
    return {"plan": request.app.state.evaluator.plan.id, "items": items}


@router.get(
    "/v1/targets/{target_id}",
    tags=["targets"],
    summary="One target and its series",
    responses={404: problem("No such target.")},
)
async def target(target_id: str, request: Request, who: Signed) -> dict[str, Any]:
    view = request.app.state.evaluator.views.get(target_id)
    if view is None:
        raise ProblemError(Problem("not-found", "Unknown target", 404, f"no target {target_id}"))
    body = target_json(view, request)
    body["series"] = [
        {"start": o.start.isoformat(), "end": o.end.isoformat(), "value": o.value}
        for o in view.series
    ]
    body["milestones"] = [
        {"deadline": m.deadline.isoformat(), "value": m.value, "text_vi": m.text_vi}
        for m in view.target.milestones
    ]
    return body


@router.get("/v1/alerts", tags=["alerts"], summary="Alerts, filtered")
async def alerts(
    request: Request,
    who: Signed,
    state: State | None = None,
    severity: Severity | None = None,
    kind: AlertKind | None = None,
    org_unit: str | None = None,
    agency: str | None = None,
    target: str | None = None,
) -> dict[str, Any]:
    desk = request.app.state.desk
    wanted = {
        "kind": kind.value if kind else None,
        "org_unit": org_unit,
        "agency": agency,
        "target": target,
    }
    found = [
        a
        for a in desk.book.alerts.values()
        if (state is None or a.state is state)
        and (severity is None or a.severity is severity)
        and all(v is None or a.labels.get(k) == v for k, v in wanted.items())
    ]
    found.sort(key=lambda a: (not a.active, SEVERITY_ORDER[a.severity], -a.updated_at.timestamp()))
    return {"items": [alert_json(a, desk.silenced(a)) for a in found]}


@router.get("/v1/alerts/stream", tags=["alerts"], summary="Every alert change, live (SSE)")
async def stream(
    request: Request,
    who: Signed,
    since: Annotated[
        str | None,
        Query(pattern=STREAM_ID, description="Resume after this change id (as Last-Event-ID)."),
    ] = None,
    last_event_id: Annotated[str | None, Header(pattern=STREAM_ID)] = None,
) -> StreamingResponse:
    store = request.app.state.store
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
                yield f"id: {entry_id}\nevent: change\ndata: {change}\n\n".encode()

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


@router.get("/v1/alerts/{fingerprint}", tags=["alerts"], responses=UNKNOWN_ALERT)
async def one_alert(fingerprint: str, request: Request, who: Signed) -> dict[str, Any]:
    desk = request.app.state.desk
    alert = desk.book.alerts.get(fingerprint)
    if alert is None:
        raise _unknown(fingerprint)
    return alert_json(alert, desk.silenced(alert))


@router.post("/v1/alerts/{fingerprint}/acknowledge", tags=["alerts"], responses=UNKNOWN_ALERT)
async def acknowledge(fingerprint: str, body: Comment, request: Request, who: Signed) -> Any:
    return await _act(
        request, fingerprint, lambda b, now: b.acknowledge(fingerprint, who.id, body.comment, now)
    )


@router.post("/v1/alerts/{fingerprint}/assign", tags=["alerts"], responses=UNKNOWN_ALERT)
async def assign(fingerprint: str, body: Assignment, request: Request, who: Signed) -> Any:
    return await _act(
        request,
        fingerprint,
        lambda b, now: b.assign(fingerprint, body.assignee, who.id, body.comment, now),
    )


@router.post("/v1/alerts/{fingerprint}/comment", tags=["alerts"], responses=UNKNOWN_ALERT)
async def comment(fingerprint: str, body: Comment, request: Request, who: Signed) -> Any:
    return await _act(
        request, fingerprint, lambda b, now: b.comment(fingerprint, who.id, body.comment, now)
    )


@router.post("/v1/alerts/{fingerprint}/resolve", tags=["alerts"], responses=UNKNOWN_ALERT)
async def resolve(fingerprint: str, body: Comment, request: Request, who: Signed) -> Any:
    return await _act(
        request, fingerprint, lambda b, now: b.resolve(fingerprint, who.id, body.comment, now)
    )


@router.post("/v1/silences", tags=["alerts"], status_code=201)
async def silence(body: SilenceRequest, request: Request, who: Signed) -> dict[str, Any]:
    ends = datetime.now(UTC) + timedelta(minutes=body.minutes)
    change: AlertChange = await request.app.state.desk.act(
        lambda b, now: b.silence(body.matchers, ends, who.id, body.comment, now)
    )
    assert change.silence is not None
    return change.silence.model_dump(mode="json")


@router.get("/v1/silences", tags=["alerts"])
async def silences(request: Request, who: Signed) -> dict[str, Any]:
    now = datetime.now(UTC)
    found = request.app.state.desk.book.silences.values()
    return {"items": [s.model_dump(mode="json") for s in found if s.ends_at > now]}


@router.get("/healthz", tags=["health"])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    tags=["health"],
    summary="Caught up with history; Kafka and Redis answer now",
    responses=NOT_READY,
)
async def readyz(request: Request) -> Response:
    state = request.app.state
    kafka, redis = await asyncio.gather(state.store.reachable(), redis_answers(state.redis))
    return readiness({"caught_up": state.caught_up.is_set(), "kafka": kafka, "redis": redis})


def target_json(view: TargetView, request: Request) -> dict[str, Any]:
    plan, a = request.app.state.evaluator.plan, view.assessment
    indicator = plan.indicators[view.target.indicator]
    return {
        "id": view.target.id,
        "group": view.target.group.value,
        "scope": view.target.scope,
        "indicator": {
            "code": indicator.code,
            "name_vi": indicator.name_vi,
            "name_en": indicator.name_en,
            "unit": indicator.unit,
        },
        "comparator": view.target.comparator.value,
        "status": a.status.value,
        "milestone": {
            "deadline": a.milestone.deadline.isoformat(),
            "value": a.milestone.value,
            "text_vi": a.milestone.text_vi,
        },
        "latest": None
        if a.latest is None
        else {"end": a.latest.end.isoformat(), "value": a.latest.value},
        "forecast": {"value": a.projected, "low": a.low, "high": a.high},
        "explanation_vi": view.explanation[0],
        "explanation_en": view.explanation[1],
    }


def alert_json(alert: Alert, silenced: bool) -> dict[str, Any]:
    return alert.model_dump(mode="json") | {"kind": alert.kind, "silenced": silenced}


async def _act(request: Request, fingerprint: str, action: Any) -> dict[str, Any]:
    try:
        change: AlertChange = await request.app.state.desk.act(action)
    except UnknownAlertError:
        raise _unknown(fingerprint) from None
    assert change.alert is not None
    return alert_json(change.alert, request.app.state.desk.silenced(change.alert))


def _unknown(fingerprint: str) -> ProblemError:
    return ProblemError(Problem("not-found", "Unknown alert", 404, f"no alert {fingerprint}"))
