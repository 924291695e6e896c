"""The alerts API's OpenAPI document: the operators' targets, alerts, actions and stream, as
the service serves it (tools/openapi.py commits it beside this file)."""

from typing import Any

from infra import openapi
from services.alerts.routes import ROUTERS

TITLE, VERSION = "IOC alerts API", "1.0.0"
SUMMARY = "The operators' targets, alerts and their actions, and the live alert stream."
SECURITY_SCHEMES = {
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "bearer": {"type": "http", "scheme": "bearer", "description": "An operator's API key."},
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "ioc_session",
        "description": "Set by POST /v1/session (the console); unsafe requests must come from "
        "the console's own origin.",
    },
}
PUBLIC = ("/healthz", "/readyz", "/v1/session", "/v1/vocabulary")
PROBLEMS = {"500": "Unexpected (logged)."}
UNSAFE_PROBLEMS = {"403": "A change made with the session cookie from another origin."}


def document() -> dict[str, Any]:
    return openapi.describe(
        TITLE,
        VERSION,
        SUMMARY,
        ROUTERS,
        PROBLEMS,
        SECURITY_SCHEMES,
        PUBLIC,
        UNSAFE_PROBLEMS,
    )
