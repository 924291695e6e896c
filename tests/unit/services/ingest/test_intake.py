"""The intake's decisions, with an in-memory dedup store and publisher (no Redis, no Kafka)."""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from catalog.authority import of_province
from contracts import CloudEvent, from_kafka_record
from infra.problems import ProblemError, unavailable
from services.ingest.auth import Principal
from services.ingest.dedup import Claim, Identity, _claim_of
from services.ingest.intake import Intake
from services.ingest.outcomes import EventStatus
from services.ingest.publisher import Outgoing, PublishUnavailableError, Settled
from tests.infrastructure import eventually

EXAMPLE = (
    Path(__file__).resolve().parents[4] / "contracts/examples/valid/dossier-result-returned.json"
)
AGENCY = Principal(
    "so-tu-phap", ("/agencies/so-tu-phap/",), of_province("quang-ngai")["so-tu-phap"]
)
KEY = ("/agencies/so-tu-phap/mot-cua", "b6f1c1e2-0002")  # the example's source and id


def event(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text("utf-8"))
    return document | changes


class FakeDedup:
    """The Redis store's rules in memory: an event names the attempt that claimed it, and an
    attempt's fate (pending, accepted, or gone) decides what a retry of the event is."""

    def __init__(self) -> None:
        self.holders: dict[tuple[str, str], tuple[str, str]] = {}  # event: attempt, fingerprint
        self.fates: dict[str, str] = {}
        # The fate the holder's attempt reaches while another request waits (None: it gives up).
        self.settle_after_checks: dict[tuple[str, str], str | None] = {}

    def fate_of(self, key: tuple[str, str]) -> str | None:
        holder = self.holders.get(key)
        return self.fates.get(holder[0]) if holder else None

    async def claim(self, identities: list[Identity], attempt: str) -> list[Claim]:
        claims = []
        for i in identities:
            key = (i.source, i.id)
            fate = self.fate_of(key)
            if fate is None:
                self.holders[key] = (attempt, i.fingerprint)
                self.fates[attempt] = "pending"
                claims.append(Claim.CLAIMED)
            else:
                answer = "pending" if fate == "pending" else f"{fate}:{self.holders[key][1]}"
                claims.append(_claim_of(answer.encode(), i.fingerprint))
        return claims

    async def await_settled(
        self, identities: list[Identity], attempt: str, timeout_seconds: float
    ) -> list[Claim]:
        for i in identities:  # the other request finishes (or gives up) while we wait
            key = (i.source, i.id)
            if key in self.settle_after_checks:
                outcome, holder = self.settle_after_checks.pop(key), self.holders[key][0]
                if outcome is None:
                    self.fates.pop(holder)
                else:
                    self.fates[holder] = outcome
        return await self.claim(identities, attempt)

    async def confirm(self, attempt: str) -> None:
        self.fates[attempt] = "accepted"

    async def release(self, attempt: str) -> None:
        self.fates.pop(attempt, None)

    async def forget(self, identities: list[Identity]) -> None:
        for i in identities:
            self.holders.pop((i.source, i.id))


class FakePublisher:
    def __init__(self, failure: PublishUnavailableError | None = None) -> None:
        self.published: list[CloudEvent] = []
        self.failure = failure
        self.pending: list[Settled] = []

    async def publish(
        self, records: Sequence[Outgoing], headers: list[tuple[str, bytes]], on_settled: Settled
    ) -> None:
        if self.failure:
            if self.failure.settling:
                self.pending.append(on_settled)
            raise self.failure
        self.published += [from_kafka_record(r.value, r.headers) for _, r in records]


@pytest.fixture
def dedup() -> FakeDedup:
    return FakeDedup()


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


def intake(dedup: FakeDedup, publisher: FakePublisher) -> Intake:
    return Intake(dedup, publisher, in_flight_wait_seconds=1)


async def test_new_event_is_published_then_marked_accepted(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    [outcome] = await intake(dedup, publisher).submit(AGENCY, [event()], [])
    assert outcome.status is EventStatus.ACCEPTED
    assert [e.id for e in publisher.published] == ["b6f1c1e2-0002"]
    assert dedup.fate_of(KEY) == "accepted"


async def test_retry_of_an_accepted_event_is_a_duplicate_and_not_published_again(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    await intake(dedup, publisher).submit(AGENCY, [event()], [])
    [outcome] = await intake(dedup, publisher).submit(AGENCY, [event()], [])
    assert outcome.status is EventStatus.DUPLICATE
    assert len(publisher.published) == 1


async def test_same_id_with_other_content_is_a_conflict(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    await intake(dedup, publisher).submit(AGENCY, [event()], [])
    changed = event(subject="something else")
    [outcome] = await intake(dedup, publisher).submit(AGENCY, [changed], [])
    assert outcome.status is EventStatus.REJECTED
    assert outcome.problem is not None
    assert (outcome.problem.status, outcome.problem.slug) == (409, "id-reused")


async def test_event_in_flight_elsewhere_is_a_duplicate_once_that_request_succeeds(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    first = intake(dedup, publisher)
    await first.submit(AGENCY, [event()], [])
    dedup.fates[dedup.holders[KEY][0]] = "pending"  # as if its Kafka acknowledgement were due
    dedup.settle_after_checks[KEY] = "accepted"
    [outcome] = await intake(dedup, publisher).submit(AGENCY, [event()], [])
    assert outcome.status is EventStatus.DUPLICATE
    assert len(publisher.published) == 1


async def test_event_whose_other_request_gave_up_is_published_here(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    dedup.holders[KEY], dedup.fates["elsewhere"] = ("elsewhere", "x"), "pending"
    dedup.settle_after_checks[KEY] = None
    [outcome] = await intake(dedup, publisher).submit(AGENCY, [event()], [])
    assert outcome.status is EventStatus.ACCEPTED
    assert len(publisher.published) == 1


async def test_broker_refusal_releases_the_claims_and_answers_503(dedup: FakeDedup) -> None:
    failing = FakePublisher(PublishUnavailableError("down", settling=False))
    with pytest.raises(ProblemError) as error:
        await intake(dedup, failing).submit(AGENCY, [event()], [])
    assert error.value.problem.status == 503
    assert error.value.problem.headers["Retry-After"]
    assert dedup.fate_of(KEY) is None  # released: a retry claims it again


async def test_timeout_keeps_the_claim_until_the_late_acknowledgement_settles(
    dedup: FakeDedup,
) -> None:
    slow = FakePublisher(PublishUnavailableError("slow", settling=True))
    with pytest.raises(ProblemError):
        await intake(dedup, slow).submit(AGENCY, [event()], [])
    assert dedup.fate_of(KEY) == "pending"
    await slow.pending[0]([True])  # the broker did acknowledge, late
    assert dedup.fate_of(KEY) == "accepted"


async def test_records_the_broker_refused_are_produced_again_those_it_took_are_not(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    # One partition's leader gone: the broker took the first event and refused the second.
    batch = [event(), event(id="second")]
    partly = FakePublisher(
        PublishUnavailableError("one partition", settling=False, landed=[True, False])
    )
    with pytest.raises(ProblemError) as error:
        await intake(dedup, partly).submit(AGENCY, batch, [])
    assert error.value.problem.status == 503
    outcomes = await intake(dedup, publisher).submit(AGENCY, batch, [])  # the client retries
    assert [o.status for o in outcomes] == [EventStatus.DUPLICATE, EventStatus.ACCEPTED]
    assert [e.id for e in publisher.published] == ["second"]


async def test_a_late_partial_acknowledgement_settles_each_event(dedup: FakeDedup) -> None:
    slow = FakePublisher(PublishUnavailableError("slow", settling=True))
    with pytest.raises(ProblemError):
        await intake(dedup, slow).submit(AGENCY, [event(), event(id="second")], [])
    await slow.pending[0]([False, True])
    second = (KEY[0], "second")
    assert (dedup.fate_of(KEY), dedup.fate_of(second)) == (None, "accepted")


async def test_batch_answers_per_event_and_publishes_the_good_ones(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    batch = [
        event(),
        event(id="other", data={"oops": 1}),
        event(id="third", type="vn.ioc.nope.v1"),
        42,
    ]
    outcomes = await intake(dedup, publisher).submit(AGENCY, batch, [])
    assert [o.status for o in outcomes] == [EventStatus.ACCEPTED] + [EventStatus.REJECTED] * 3
    assert outcomes[1].problem is not None
    assert "data.dossier_id" in [e.field for e in outcomes[1].problem.errors]
    assert outcomes[2].problem is not None
    assert outcomes[2].problem.slug == "unknown-event-type"
    assert [e.id for e in publisher.published] == ["b6f1c1e2-0002"]


async def test_the_same_event_twice_in_one_batch_is_published_once(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    outcomes = await intake(dedup, publisher).submit(AGENCY, [event(), event()], [])
    assert [o.status for o in outcomes] == [EventStatus.ACCEPTED, EventStatus.DUPLICATE]
    assert len(publisher.published) == 1


async def test_a_source_of_another_agency_forbids_the_whole_request(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    batch = [event(), event(id="x", source="/agencies/so-y-te/mot-cua")]
    with pytest.raises(ProblemError) as error:
        await intake(dedup, publisher).submit(AGENCY, batch, [])
    assert error.value.problem.status == 403
    assert error.value.problem.errors[0].field == "1.source"
    assert publisher.published == []


async def test_redis_down_after_kafka_took_the_events_accepts_them_and_records_it_later(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    # Found by `make faults`: Kafka acknowledged, then Redis restarted before the attempt was
    # confirmed. The answer was 503, the attempt stayed pending until it expired, and the
    # agency's retry then produced the 20 events of that batch a second time.
    confirm, down = dedup.confirm, [True]

    async def confirm_when_up(attempt: str) -> None:
        if down[0]:
            raise unavailable("Redis is unreachable", 5)
        await confirm(attempt)

    dedup.confirm = confirm_when_up  # type: ignore[method-assign]
    intake_ = intake(dedup, publisher)
    [outcome] = await intake_.submit(AGENCY, [event()], [])
    assert outcome.status is EventStatus.ACCEPTED  # durable in Kafka: accepted
    assert dedup.fate_of(KEY) == "pending"
    down[0] = False

    async def recorded() -> bool:
        return dedup.fate_of(KEY) == "accepted"

    await eventually(recorded, within=5)
    [retry] = await intake_.submit(AGENCY, [event()], [])
    assert retry.status is EventStatus.DUPLICATE
    assert len(publisher.published) == 1
