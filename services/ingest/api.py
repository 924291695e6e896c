"""HTTP routes: POST /v1/events and the health probes."""

import asyncio
import math
import time
from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace

from contracts import MODELS_BY_TYPE, published_schema
from infra.http import readiness
from infra.openapi import NOT_READY, problem
from infra.problems import PROBLEM_JSON, FieldError, Problem, ProblemError
from infra.serve import FastJSONResponse
from services.ingest.auth import Principal
from services.ingest.binding import Mode, body_limit, mode_of, raw_events, too_large
from services.ingest.bootstrap import Runtime
from services.ingest.outcomes import EventOutcome, EventStatus

router = APIRouter()


@router.post("/v1/events", name="publish_events", summary="Publish one event or a batch")
async def publish_events(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    started, mode_label = time.perf_counter(), "unknown"
    code = "500"  # unless answered otherwise: an unexpected error
    try:
        principal = await runtime.authenticator.principal(request.headers)
        mode = mode_of(request.headers.get("content-type"), request.headers)
        mode_label = mode.value
        body = await _read_body(request, body_limit(mode, runtime.limits))
        events = raw_events(mode, request.headers, body, runtime.limits)
        await _rate_limit(runtime, principal, len(events))
        # The caller's W3C trace if it sent one, else the request's own server span.
        context = propagate.extract(request.headers, context=otel_context.get_current())
        with runtime.tracer.start_as_current_span(
            "ingest publish", context=context, kind=trace.SpanKind.PRODUCER
        ) as span:
            span.set_attribute("ioc.agency", principal.agency)
            span.set_attribute("messaging.batch.message_count", len(events))
            carrier: dict[str, str] = {}
            propagate.inject(carrier)  # into Kafka headers: the KPI update continues this trace
            trace_headers = [(k, v.encode()) for k, v in carrier.items()]
            try:
                outcomes = await runtime.intake.submit(principal, events, trace_headers)
            except ProblemError as e:
                if e.problem.status == 503:
                    _count(runtime, principal, events, "unavailable")
                raise
        _count_outcomes(runtime, principal, outcomes)
        response = (
            _batch_response(outcomes) if mode is Mode.BATCH else _single_response(outcomes[0])
        )
        code = str(response.status_code)
        return response
    except ProblemError as refused:  # 401, 403, 413, 415, 429, 503: counted as answered
        code = str(refused.problem.status)
        raise
    finally:
        runtime.metrics.requests.labels(mode_label, code).inc()
        runtime.metrics.request_seconds.labels(mode_label).observe(time.perf_counter() - started)


@router.get("/healthz", summary="The process is alive", tags=["health"])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Kafka and Redis answer now", tags=["health"], responses=NOT_READY)
async def readyz(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    kafka, redis = await asyncio.gather(runtime.publisher.reachable(), runtime.dedup.ping())
    return readiness({"kafka": kafka, "redis": redis})


@router.get(
    "/v1/event-types",
    summary="The event types IOC accepts, with their topics and JSON Schemas",
    tags=["contracts"],
)
async def event_types() -> dict[str, Any]:
    return {
        "items": [
            {
                "type": name,
                "topic": model.topic.name,
                "summary": (model.__doc__ or "").strip(),
                "schema": f"/v1/event-types/{name}/schema",
            }
            for name, model in MODELS_BY_TYPE.items()
        ]
    }


class SchemaResponse(Response):
    media_type = "application/schema+json"


@router.get(
    "/v1/event-types/{event_type}/schema",
    summary="The JSON Schema of one event type",
    tags=["contracts"],
    response_class=SchemaResponse,
    responses={
        200: {"content": {"application/schema+json": {"schema": {"type": "object"}}}},
        404: problem("No such event type."),
    },
)
async def event_type_schema(event_type: str) -> Response:
    if event_type not in MODELS_BY_TYPE:
        raise ProblemError(
            Problem(
                "unknown-event-type",
                "Unknown event type",
                404,
                f"no event type {event_type!r}; see /v1/event-types",
            )
        )
    return SchemaResponse(published_schema(event_type))


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def _rate_limit(runtime: Runtime, principal: Principal, events: int) -> None:
    wait = await runtime.limiter.wait_for(principal.agency, events)
    if wait > 0:
        retry_after = math.ceil(min(wait, 60))
        raise ProblemError(
            Problem(
                "rate-limited",
                "Too many events",
                429,
                f"agency {principal.agency!r} is over its rate limit; retry in {retry_after}s",
                headers={"Retry-After": str(retry_after)},
            )
        )


def _single_response(outcome: EventOutcome) -> Response:
    if outcome.problem:
        problem = outcome.problem
        return FastJSONResponse(
            problem.as_json(), problem.status, headers=problem.headers, media_type=PROBLEM_JSON
        )
    code = 202 if outcome.status is EventStatus.ACCEPTED else 200
    body = outcome.as_json(0)
    del body["index"]  # a single event has no position
    return FastJSONResponse(body, code)


def _batch_response(outcomes: list[EventOutcome]) -> Response:
    results = [o.as_json(i) for i, o in enumerate(outcomes)]
    tally = Counter(o.status for o in outcomes)
    counts = {status.value: tally[status] for status in EventStatus}
    if counts[EventStatus.REJECTED] == len(outcomes):
        problem = Problem(
            "invalid-batch",
            "No event in the batch is valid",
            422,
            "every event was rejected; see results",
            (FieldError("", "every event was rejected"),),
        )
        return FastJSONResponse(
            problem.as_json() | {"results": results}, 422, media_type=PROBLEM_JSON
        )
    return FastJSONResponse({"counts": counts, "results": results}, 202)


def _type_label(event_type: str | None) -> str:
    return event_type if event_type in MODELS_BY_TYPE else "unknown"


def _count_outcomes(runtime: Runtime, principal: Principal, outcomes: list[EventOutcome]) -> None:
    # Counted per (type, outcome) first: a batch makes a handful of increments, not hundreds.
    tally = Counter((_type_label(o.type), o.status) for o in outcomes)
    for (event_type, outcome), n in tally.items():
        runtime.metrics.events.labels(event_type, principal.agency, str(outcome)).inc(n)


def _count(runtime: Runtime, principal: Principal, events: list[Any], outcome: str) -> None:
    tally = Counter(_type_label(e.get("type") if isinstance(e, dict) else None) for e in events)
    for event_type, n in tally.items():
        runtime.metrics.events.labels(event_type, principal.agency, outcome).inc(n)
