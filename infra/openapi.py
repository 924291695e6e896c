"""The OpenAPI documents of IOC's HTTP APIs: generated from their routes, with every refusal
described as the RFC 9457 problem+json it is (not FastAPI's default validation shape) and the
security schemes the API accepts. Each service serves its own; tools/openapi.py commits them
and checks them for drift in `make test`."""

import json
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "example": "/problems/invalid-event"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "pointer", "detail"],
                "properties": {
                    "field": {"type": "string", "example": "data.status"},
                    "pointer": {"type": "string", "example": "/data/status"},
                    "detail": {"type": "string"},
                },
            },
        },
    },
}
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
METHODS = ("get", "post", "put", "patch", "delete")


def problem(description: str) -> dict[str, Any]:
    """A response that is a problem+json document."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {"application/problem+json": {"schema": schema}}}


NOT_READY: dict[int | str, dict[str, Any]] = {503: problem("A dependency does not answer now.")}


def describe(
    title: str,
    version: str,
    summary: str,
    routers: Iterable[APIRouter],
    problems: Mapping[str, str],
    security_schemes: Mapping[str, Any] | None = None,
    public: Iterable[str] = (),
    unsafe_problems: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The document of the routes: each operation answers `problems` (status → when) besides its
    own responses, 422 when it takes parameters or a body, `unsafe_problems` when it changes
    something; with `security_schemes`, every operation requires one of them but those on the
    `public` paths (and refuses without with 401)."""
    routes = FastAPI()
    for router in routers:
        routes.include_router(router)
    document = get_openapi(title=title, version=version, summary=summary, routes=routes.routes)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    open_paths = set(public)
    for path, operations in document["paths"].items():
        for method in METHODS:
            if (operation := operations.get(method)) is None:
                continue
            responses = operation["responses"]
            if responses.pop("422", None) or operation.get("parameters"):
                responses["422"] = problem("Invalid parameters or body (the errors name each).")
            extra = dict(problems) | (dict(unsafe_problems or {}) if method != "get" else {})
            for status, when in extra.items():
                responses.setdefault(status, problem(when))
            if security_schemes and path not in open_paths:
                operation["security"] = [{name: []} for name in security_schemes]
                responses.setdefault("401", problem("No or unknown credentials."))
    if security_schemes:
        document["components"]["securitySchemes"] = dict(security_schemes)
    return document


def rendered(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
