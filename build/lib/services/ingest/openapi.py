"""The OpenAPI document of the ingest API. The events route reads its body itself (three
CloudEvents binding modes), so its request body and answers are described here, from the
same contract models the route validates against."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from contracts import EVENT_MODELS
from services.ingest import api
from services.ingest.binding import BATCH, STRUCTURED

TITLE = "IOC ingest API"
VERSION = "1.0.0"
SUMMARY = "Agency systems publish CloudEvents to the province's operations center."
COMMITTED = Path(__file__).with_name("openapi.json")
DEFAULT_MAX_BATCH_EVENTS = 1000

_REF = "#/components/schemas/{model}"

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

OUTCOME_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "id", "source", "type"],
    "properties": {
        "index": {"type": "integer", "description": "Position in the batch (batches only)."},
        "status": {"enum": ["accepted", "duplicate", "rejected", "retry"]},
        "id": {"type": ["string", "null"]},
        "source": {"type": ["string", "null"]},
        "type": {"type": ["string", "null"]},
        "problem": {"$ref": "#/components/schemas/Problem"},
    },
}

BATCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["counts", "results"],
    "properties": {
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/EventOutcome"}},
    },
}


def _problem(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {"application/problem+json": {"schema": schema}}}


def _json(description: str, ref: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{ref}"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _events_operation(max_batch_events: int, event: dict[str, Any]) -> dict[str, Any]:
    batch = {"type": "array", "items": event, "minItems": 1, "maxItems": max_batch_events}
    return {
        "requestBody": {
            "required": True,
            "content": {
                STRUCTURED: {"schema": event},
                BATCH: {"schema": batch},
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "Binary mode: the event's "
                        "`data`, with its attributes in ce-* headers.",
                    }
                },
            },
        },
        "parameters": [
            {
                "name": f"ce-{name}",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
                "description": f"Binary mode: the event's {name}.",
            }
            for name in ("specversion", "id", "source", "type", "time", "subject")
        ],
        "security": [{"bearer": []}, {"apiKey": []}],
        "responses": {
            "202": {
                "description": "Accepted: Kafka acknowledged it (a batch: per-event results).",
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                {"$ref": "#/components/schemas/EventOutcome"},
                                {"$ref": "#/components/schemas/BatchOutcome"},
                            ]
                        }
                    }
                },
            },
            "200": _json(
                "Duplicate of an event accepted before: nothing produced.", "EventOutcome"
            ),
            "400": _problem("Malformed JSON."),
            "401": _problem("No or invalid credentials."),
            "403": _problem("The agency does not own the event's source."),
            "409": _problem("Event id reused for other content, or the same event in flight."),
            "413": _problem("Body too large, or too many events in a batch."),
            "415": _problem("Unsupported content type."),
            "422": _problem("An event violates its contract (errors name each field)."),
            "429": _problem("Over the agency's rate limit; see Retry-After."),
            "503": _problem(
                "Kafka or Redis unreachable: nothing accepted; retry after Retry-After."
            ),
        },
    }


def document(max_batch_events: int = DEFAULT_MAX_BATCH_EVENTS) -> dict[str, Any]:
    routes = FastAPI()
    routes.include_router(api.router)
    described = get_openapi(title=TITLE, version=VERSION, summary=SUMMARY, routes=routes.routes)
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(m, "validation") for m in EVENT_MODELS]
    refs, defs = models_json_schema(models, ref_template=_REF)
    event = {"oneOf": [refs[key] for key in models], "discriminator": {"propertyName": "type"}}
    components = described.setdefault("components", {})
    components.setdefault("schemas", {}).update(
        defs["$defs"],
        Problem=PROBLEM_SCHEMA,
        EventOutcome=OUTCOME_SCHEMA,
        BatchOutcome=BATCH_SCHEMA,
    )
    components["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "OAuth2 client-credentials access token (RFC 9068).",
        },
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    }
    described["paths"]["/v1/events"]["post"].update(_events_operation(max_batch_events, event))
    return described


def rendered() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """`python -m services.ingest.openapi [--check]`: write (or check) the committed document."""
    parser = argparse.ArgumentParser(description="Write the ingest API's OpenAPI document.")
    parser.add_argument("--check", action="store_true", help="fail if the committed one drifts")
    if parser.parse_args(argv).check:
        if COMMITTED.exists() and COMMITTED.read_text("utf-8") == rendered():
            return 0
        sys.stderr.write(f"{COMMITTED} drifts: run `python -m services.ingest.openapi`\n")
        return 1
    COMMITTED.write_text(rendered(), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
