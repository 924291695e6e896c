"""The intake of one request's events: authorize sources, validate, authorize the data (what the
agency may write), deduplicate, produce, and answer per event. Talks to Redis and Kafka only
through the two small protocols below."""

import asyncio
import hashlib
from collections.abc import Sequence
from enum import StrEnum
from functools import partial
from typing import Any, NamedTuple, Protocol

from pydantic import ValidationError

from contracts import (
    CloudEvent,
    Dossier,
    Feedback,
    KafkaRecord,
    error_message,
    field_path,
    parse_event,
    parse_events,
    to_kafka_record,
)
from infra.problems import FieldError, Problem, ProblemError, unavailable
from infra.retry import until_done
from services.ingest.auth import Principal
from services.ingest.dedup import Claim, Identity, new_attempt
from services.ingest.publisher import Outgoing, PublishUnavailableError, Settled


class Dedup(Protocol):
    async def claim(self, identities: list[Identity], attempt: str) -> list[Claim]: ...
    async def await_settled(
        self, identities: list[Identity], attempt: str, timeout_seconds: float
    ) -> list[Claim]: ...
    async def confirm(self, attempt: str) -> None: ...
    async def release(self, attempt: str) -> None: ...
    async def forget(self, identities: list[Identity]) -> None: ...


class Publisher(Protocol):
    async def publish(
        self, records: Sequence[Outgoing], headers: list[tuple[str, bytes]], on_settled: Settled
    ) -> None: ...


class EventStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    RETRY = "retry"  # the same event is in flight in another request: retry shortly


class Candidate(NamedTuple):
    """A valid event, encoded once: its Kafka record and its identity for deduplication."""

    event: CloudEvent
    record: KafkaRecord
    identity: Identity

    @classmethod
    def of(cls, event: CloudEvent, agency: str) -> "Candidate":
        record = to_kafka_record(event)
        # The content consumers will see, headers too: one id reused for other content is a
        # conflict, the same content again a duplicate.
        content = b"\0".join([record.value, *[value for _, value in record.headers]])
        fingerprint = hashlib.sha256(content).hexdigest()[:32]
        owned = _owned_object(event)
        identity = Identity(event.source, event.id, fingerprint, owned[1] if owned else "", agency)
        return cls(event, record, identity)


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


class Intake:
    def __init__(self, dedup: Dedup, publisher: Publisher, in_flight_wait_seconds: float) -> None:
        self._dedup, self._publisher, self._wait = dedup, publisher, in_flight_wait_seconds
        self._recording: set[asyncio.Task[None]] = set()  # fates waiting for Redis

    async def submit(
        self, principal: Principal, raw_events: list[Any], trace_headers: list[tuple[str, bytes]]
    ) -> list[EventOutcome]:
        _authorize_sources(principal, raw_events)
        outcomes: list[EventOutcome | None] = [None] * len(raw_events)
        candidates: dict[int, Candidate] = {}
        first_seen: dict[tuple[str, str], int] = {}
        authority = principal.authority
        for index, event in enumerate(_validate_all(raw_events)):
            if isinstance(event, EventOutcome):
                outcomes[index] = event
                continue
            if refusal := authority.refusal(event):
                outcomes[index] = _outside_authority(event, refusal.field, refusal.reason)
                continue
            candidate = Candidate.of(event, principal.agency)
            earlier = first_seen.setdefault((event.source, event.id), index)
            if earlier != index:  # the same event twice in this very request
                same = candidates[earlier].identity == candidate.identity
                outcomes[index] = _answer(event, Claim.DUPLICATE if same else Claim.CONFLICT)
                continue
            candidates[index] = candidate
        await self._claim_and_publish(candidates, outcomes, trace_headers)
        return [o for o in outcomes if o is not None]

    async def _claim_and_publish(
        self,
        candidates: dict[int, Candidate],
        outcomes: list[EventOutcome | None],
        trace_headers: list[tuple[str, bytes]],
    ) -> None:
        indexes, attempt = list(candidates), new_attempt()
        claims = await self._dedup.claim([candidates[i].identity for i in indexes], attempt)
        mine = [i for i, c in zip(indexes, claims, strict=True) if c is Claim.CLAIMED]
        await self._publish(attempt, [candidates[i] for i in mine], trace_headers)
        in_flight = [i for i, c in zip(indexes, claims, strict=True) if c is Claim.IN_FLIGHT]
        retry = new_attempt()
        settled = await self._dedup.await_settled(
            [candidates[i].identity for i in in_flight], retry, self._wait
        )
        if Claim.CLAIMED in settled:  # their producer gave up and we hold them now: produce
            retaken = [i for i, c in zip(in_flight, settled, strict=True) if c is Claim.CLAIMED]
            await self._publish(retry, [candidates[i] for i in retaken], trace_headers)
        final = dict(zip(indexes, claims, strict=True)) | dict(zip(in_flight, settled, strict=True))
        for index, claim in final.items():
            outcomes[index] = _answer(candidates[index].event, claim)

    async def _publish(
        self, attempt: str, items: list[Candidate], trace_headers: list[tuple[str, bytes]]
    ) -> None:
        if not items:
            return

        async def on_settled(landed: Sequence[bool]) -> None:
            await self._record_fate(attempt, items, landed)

        records = [(c.event.topic.name, c.record) for c in items]
        try:
            await self._publisher.publish(records, trace_headers, on_settled)
        except PublishUnavailableError as e:
            if not e.settling:
                await self._record_fate(attempt, items, e.landed or [False] * len(items))
            raise unavailable(f"events not accepted: {e}; retry the same request", 5) from e
        await self._record_fate(attempt, items, [True] * len(items))

    async def _record_fate(
        self, attempt: str, items: list[Candidate], landed: Sequence[bool]
    ) -> None:
        """Settles the attempt; if Redis does not answer, as soon as it does (in the background).
        Kafka's answer must not be lost with Redis: the attempt would stay pending until it
        expired, and a retry then produce again what Kafka took. Events Kafka took are accepted
        meanwhile: they are durable."""
        try:
            await self._settle(attempt, items, landed)
        except ProblemError:
            task = asyncio.create_task(
                until_done(
                    "record what Kafka took",
                    partial(self._settle, attempt, items, landed),
                    (ProblemError,),
                )
            )
            self._recording.add(task)
            task.add_done_callback(self._recording.discard)

    async def _settle(self, attempt: str, items: list[Candidate], landed: Sequence[bool]) -> None:
        """What Kafka took is accepted (its retry is a duplicate), what it refused forgotten (its
        retry is produced): the broker answers per partition, and may take only some."""
        refused = [c.identity for c, took in zip(items, landed, strict=True) if not took]
        if len(refused) == len(items):
            await self._dedup.release(attempt)
            return
        if refused:
            await self._dedup.forget(refused)
        await self._dedup.confirm(attempt)


def _owned_object(event: CloudEvent) -> tuple[str, str] | None:
    """(field, object) of the dossier or feedback report the event is about: one agency's."""
    data = event.data
    if isinstance(data, Dossier):
        return "data.dossier_id", f"dossier:{data.dossier_id}"
    if isinstance(data, Feedback):
        return "data.feedback_id", f"feedback:{data.feedback_id}"
    return None


def _outside_authority(event: CloudEvent, field: str, reason: str) -> EventOutcome:
    problem = Problem(
        "outside-authority",
        "Outside the agency's authority",
        403,
        reason,
        (FieldError(field, reason),),
    )
    return EventOutcome(EventStatus.REJECTED, event.type, event.id, event.source, problem)


def _validate_all(raw_events: list[Any]) -> list[CloudEvent | EventOutcome]:
    """One pass for the whole list; event by event only when something is wrong."""
    try:
        return list(parse_events(raw_events))
    except ValidationError:
        return [_validated(raw) for raw in raw_events]


def _authorize_sources(principal: Principal, raw_events: list[Any]) -> None:
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


_STATUS_OF = {
    Claim.CLAIMED: EventStatus.ACCEPTED,
    Claim.DUPLICATE: EventStatus.DUPLICATE,
    Claim.IN_FLIGHT: EventStatus.RETRY,
    Claim.CONFLICT: EventStatus.REJECTED,
    Claim.FOREIGN: EventStatus.REJECTED,
}


def _answer(event: CloudEvent, claim: Claim) -> EventOutcome:
    status = _STATUS_OF[claim]
    problem = None
    if claim is Claim.FOREIGN:
        field, owned = _owned_object(event) or ("", "")
        kind = owned.partition(":")[0]
        return _outside_authority(
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
