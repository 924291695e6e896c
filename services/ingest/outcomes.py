"""What ingest answers for each event: its status, and the problem of a refusal (invalid, outside
the agency's authority, a reused id, in flight elsewhere). How the intake decides is intake.py;
how it is worded is here."""

from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import ValidationError

from contracts import (
    CloudEvent,
    Dossier,
    Feedback,
    error_message,
    field_path,
    parse_event,
    parse_events,
)
from infra.problems import FieldError, Problem, ProblemError
from services.ingest.auth import Principal
from services.ingest.dedup import Claim


class EventStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    RETRY = "retry"  # the same event is in flight in another request: retry shortly


class EventOutcome(NamedTuple):
    status: EventStatus
    type: str | None
    id: str | None
    source: str | None
    problem: Problem | None = None

    def as_json(self, index: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "index": index,
            "status": self.status,
            "id": self.id,
            "source": self.source,
            "type": self.type,
        }
        if self.problem:
            body["problem"] = self.problem.as_json()
        return body


def validate_all(raw_events: list[Any]) -> list[CloudEvent | EventOutcome]:
    """One pass for the whole list; event by event only when something is wrong."""
    try:
        return list(parse_events(raw_events))
    except ValidationError:
        return [_validated(raw) for raw in raw_events]


def authorize_sources(principal: Principal, raw_events: list[Any]) -> None:
    sources = [_source(raw) for raw in raw_events]
    # A batch carries one source or a few: each is looked up once.
    if all(principal.owns(source) for source in set(sources) if source):
        return
    for index, source in enumerate(sources):
        if source and not principal.owns(source):
            detail = f"agency {principal.agency!r} may not publish with source {source!r}"
            where = "source" if len(raw_events) == 1 else f"{index}.source"
            raise ProblemError(
                Problem(
                    "forbidden-source",
                    "Forbidden source",
                    403,
                    detail,
                    (FieldError(where, detail),),
                )
            )


def _source(raw: Any) -> str | None:
    source = raw.get("source") if isinstance(raw, dict) else None
    return source if isinstance(source, str) else None


def _validated(raw: Any) -> CloudEvent | EventOutcome:
    try:
        event: CloudEvent = parse_event(raw)
    except ValidationError as e:
        errors = tuple(FieldError(field_path(err), error_message(err)) for err in e.errors())
        unknown_type = any(err["type"] == "union_tag_invalid" for err in e.errors())
        problem = (
            Problem(
                "unknown-event-type",
                "Unknown event type",
                422,
                f"unknown type {raw.get('type')!r}; the types are listed at /v1/event-types",
                errors,
            )
            if unknown_type
            else Problem(
                "invalid-event",
                "Event violates its contract",
                422,
                "; ".join(f"{x.field or 'event'}: {x.detail}" for x in errors),
                errors,
            )
        )
        return _rejected(raw, problem)
    return event


def _rejected(raw: Any, problem: Problem) -> EventOutcome:
    def text(name: str) -> str | None:
        value = raw.get(name) if isinstance(raw, dict) else None
        return value if isinstance(value, str) else None

    return EventOutcome(EventStatus.REJECTED, text("type"), text("id"), text("source"), problem)


def owned_object(event: CloudEvent) -> tuple[str, str] | None:
    """(field, object) of the dossier or feedback report the event is about: one agency's."""
    data = event.data
    if isinstance(data, Dossier):
        return "data.dossier_id", f"dossier:{data.dossier_id}"
    if isinstance(data, Feedback):
        return "data.feedback_id", f"feedback:{data.feedback_id}"
    return None


def outside_authority(event: CloudEvent, field: str, reason: str) -> EventOutcome:
    problem = Problem(
        "outside-authority",
        "Outside the agency's authority",
        403,
        reason,
        (FieldError(field, reason),),
    )
    return EventOutcome(EventStatus.REJECTED, event.type, event.id, event.source, problem)


_STATUS_OF = {
    Claim.CLAIMED: EventStatus.ACCEPTED,
    Claim.DUPLICATE: EventStatus.DUPLICATE,
    Claim.IN_FLIGHT: EventStatus.RETRY,
    Claim.CONFLICT: EventStatus.REJECTED,
    Claim.FOREIGN: EventStatus.REJECTED,
}


def answer(event: CloudEvent, claim: Claim) -> EventOutcome:
    status = _STATUS_OF[claim]
    problem = None
    if claim is Claim.FOREIGN:
        field, owned = owned_object(event) or ("", "")
        kind = owned.partition(":")[0]
        return outside_authority(
            event, field, f"the {kind} is published by another agency: only it may change it"
        )
    if claim is Claim.CONFLICT:
        problem = Problem(
            "id-reused",
            "Event id reused",
            409,
            f"{event.source} {event.id} was accepted before with different content",
            (FieldError("id", "already used for a different event"),),
        )
    elif claim is Claim.IN_FLIGHT:
        problem = Problem(
            "in-progress",
            "Same event in progress",
            409,
            "another request is delivering this event; retry shortly",
            headers={"Retry-After": "1"},
        )
    return EventOutcome(status, event.type, event.id, event.source, problem)
