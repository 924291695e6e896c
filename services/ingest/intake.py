"""The intake of one request's events: authorize sources, validate, authorize the data (what the
agency may write), deduplicate, produce, and answer per event. Talks to Redis and Kafka only
through the two small protocols below."""

import asyncio
import hashlib
from collections.abc import Sequence
from functools import partial
from typing import Any, NamedTuple, Protocol

from contracts import (
    CloudEvent,
    KafkaRecord,
    to_kafka_record,
)
from infra.problems import ProblemError, unavailable
from infra.retry import until_done
from services.ingest.auth import Principal
from services.ingest.dedup import Claim, Identity, new_attempt
from services.ingest.outcomes import (
    EventOutcome,
    answer,
    authorize_sources,
    outside_authority,
    owned_object,
    validate_all,
)
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
        owned = owned_object(event)
        identity = Identity(event.source, event.id, fingerprint, owned[1] if owned else "", agency)
        return cls(event, record, identity)


class Intake:
    def __init__(self, dedup: Dedup, publisher: Publisher, in_flight_wait_seconds: float) -> None:
        self._dedup, self._publisher, self._wait = dedup, publisher, in_flight_wait_seconds
        self._recording: set[asyncio.Task[None]] = set()  # fates waiting for Redis

    async def submit(
        self, principal: Principal, raw_events: list[Any], trace_headers: list[tuple[str, bytes]]
    ) -> list[EventOutcome]:
        authorize_sources(principal, raw_events)
        outcomes: list[EventOutcome | None] = [None] * len(raw_events)
        candidates: dict[int, Candidate] = {}
        first_seen: dict[tuple[str, str], int] = {}
        authority = principal.authority
        for index, event in enumerate(validate_all(raw_events)):
            if isinstance(event, EventOutcome):
                outcomes[index] = event
                continue
            if refusal := authority.refusal(event):
                outcomes[index] = outside_authority(event, refusal.field, refusal.reason)
                continue
            candidate = Candidate.of(event, principal.agency)
            earlier = first_seen.setdefault((event.source, event.id), index)
            if earlier != index:  # the same event twice in this very request
                same = candidates[earlier].identity == candidate.identity
                outcomes[index] = answer(event, Claim.DUPLICATE if same else Claim.CONFLICT)
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
            outcomes[index] = answer(candidates[index].event, claim)

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
