"""The HTTP side of every IOC API: one app factory (no interactive docs: they load scripts from
a CDN; the committed OpenAPI document is served instead) whose every error is answered as
RFC 9457 problem+json, and the readiness answer."""

import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from infra.problems import PROBLEM_JSON, FieldError, Problem, ProblemError

log = logging.getLogger(__name__)
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def new_app(
    title: str,
    version: str,
    lifespan: Lifespan,
    routers: Iterable[APIRouter],
    document: dict[str, Any],
    summary: str | None = None,
) -> FastAPI:
    app = FastAPI(
        title=title,
        version=version,
        summary=summary,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    for router in routers:
        app.include_router(router)
    app.add_exception_handler(ProblemError, _problem)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
    app.openapi = lambda: document  # type: ignore[method-assign]  # the committed document
    return app


def problem_response(problem: Problem) -> JSONResponse:
    return JSONResponse(
        problem.as_json(), problem.status, headers=problem.headers, media_type=PROBLEM_JSON
    )


def readiness(checks: dict[str, bool]) -> JSONResponse:
    """A readiness probe's answer: 200 when every dependency answered, else 503 problem+json
    naming those that did not."""
    if all(checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    failing = ", ".join(name for name, ok in checks.items() if not ok)
    problem = Problem("not-ready", "Not ready", 503, f"not answering: {failing}")
    return JSONResponse({**problem.as_json(), "checks": checks}, 503, media_type=PROBLEM_JSON)


async def _problem(_: Request, error: ProblemError) -> JSONResponse:
    return problem_response(error.problem)


async def _http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
    title = HTTPStatus(error.status_code).phrase
    problem = Problem(
        title.lower().replace(" ", "-"),
        title,
        error.status_code,
        str(error.detail),
        headers=dict(error.headers or {}),
    )
    return problem_response(problem)


async def _invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
    errors = tuple(FieldError(".".join(str(p) for p in e["loc"]), e["msg"]) for e in error.errors())
    problem = Problem(
        "invalid-request", "Invalid request", 422, "the request has invalid parameters", errors
    )
    return problem_response(problem)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(
        Problem("internal-error", "Internal error", 500, "an unexpected error; it is logged")
    )
