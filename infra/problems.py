"""RFC 9457 problem details for every IOC HTTP API: every refusal says what is wrong and, where
it can, which field. `install_problem_handlers` makes a FastAPI app answer every error so."""

import logging
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class FieldError:
    field: str  # dotted path inside the event, "data.status"; "" for the event as a whole
    detail: str

    def as_json(self) -> dict[str, str]:
        pointer = "/" + self.field.replace(".", "/") if self.field else ""
        return {"field": self.field, "pointer": pointer, "detail": self.detail}


@dataclass(frozen=True)
class Problem:
    slug: str  # the problem type, documented at /problems/<slug> in the integrator guide
    title: str
    status: int
    detail: str
    errors: tuple[FieldError, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"/problems/{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = [e.as_json() for e in self.errors]
        return body


class ProblemError(Exception):
    """Raised anywhere in a request to answer with this problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem


def unauthorized(detail: str, realm: str = "ioc-ingest") -> ProblemError:
    return ProblemError(
        Problem(
            "unauthorized",
            "Authentication required",
            401,
            detail,
            headers={"WWW-Authenticate": f'Bearer realm="{realm}", ApiKey realm="{realm}"'},
        )
    )


def unavailable(detail: str, retry_after_seconds: int) -> ProblemError:
    return ProblemError(
        Problem(
            "unavailable",
            "Service temporarily unavailable",
            503,
            detail,
            headers={"Retry-After": str(retry_after_seconds)},
        )
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_response)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


def problem_response(problem: Problem) -> JSONResponse:
    return JSONResponse(
        problem.as_json(), problem.status, headers=problem.headers, media_type=PROBLEM_JSON
    )


async def _problem_response(_: Request, error: ProblemError) -> JSONResponse:
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
