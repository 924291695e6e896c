"""The OpenAPI document of the ingest API. The events route reads its body itself (three
CloudEvents binding modes), so its request body and answers are described here, from the
same contract models the route validates against."""

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from contracts import EVENT_MODELS
from infra.openapi import describe, problem
from services.ingest import api
from services.ingest.binding import BATCH, STRUCTURED

TITLE = "IOC ingest API"
VERSION = "1.0.0"
SUMMARY = "Agency systems publish CloudEvents to the province's operations center."
DEFAULT_MAX_BATCH_EVENTS = 1000

_REF = "#/components/schemas/{model}"
PROBLEMS = {"500": "An unexpected error (logged)."}

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
            "400": problem("Malformed JSON."),
            "401": problem("No or invalid credentials."),
            "403": problem(
                "The agency does not own the event's source, or the data is outside its "
                "authority: another agency's dossier or feedback, an org unit it does not "
                "serve, an indicator it is not responsible for (the errors name the field)."
            ),
            "409": problem("Event id reused for other content, or the same event in flight."),
            "413": problem("Body too large, or too many events in a batch."),
            "415": problem("Unsupported content type."),
            "422": problem("An event violates its contract (errors name each field)."),
            "429": problem("Over the agency's rate limit; see Retry-After."),
            "503": problem(
                "Not accepted, not known yet: Kafka or Redis did not answer in time, and an "
                "event may still land. Retry the same request, with the same ids, after "
                "Retry-After: an event that landed is then answered as a duplicate."
            ),
        },
    }


def document(max_batch_events: int = DEFAULT_MAX_BATCH_EVENTS) -> dict[str, Any]:
    described = describe(TITLE, VERSION, SUMMARY, [api.router], PROBLEMS)
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(m, "validation") for m in EVENT_MODELS]
    refs, defs = models_json_schema(models, ref_template=_REF)
    event = {"oneOf": [refs[key] for key in models], "discriminator": {"propertyName": "type"}}
    components = described.setdefault("components", {})
    components.setdefault("schemas", {}).update(
        defs["$defs"],
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
