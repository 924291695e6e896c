"""The intake's decisions, with an in-memory dedup store and publisher (no Redis, no Kafka)."""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from contracts import CloudEvent, from_kafka_record
from ioc.problems import ProblemError
from services.ingest.auth import Principal
from services.ingest.dedup import Claim, Identity, _claim_of
from services.ingest.intake import Intake, Status
from services.ingest.publisher import Outgoing, PublishUnavailableError, Settled

EXAMPLE = (
    Path(__file__).resolve().parents[3] / "contracts/examples/valid/dossier-result-returned.json"
)
AGENCY = Principal("so-tu-phap", ("/agencies/so-tu-phap/",))


def event(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text("utf-8"))
    return document | changes


class FakeDedup:
    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}
        self.settle_after_checks: dict[tuple[str, str], str | None] = {}

    async def claim(self, identities: list[Identity]) -> list[Claim]:
        claims = []
        for i in identities:
            old = self.values.get((i.source, i.id))
            if old is None:
                self.values[(i.source, i.id)] = f"pending:{i.fingerprint}"
            claims.append(_claim_of(old.encode() if old else None, i.fingerprint))
        return claims

    async def await_settled(
        self, identities: list[Identity], timeout_seconds: float
    ) -> list[Claim]:
        for i in identities:  # the other request finishes (or gives up) while we wait
            if (i.source, i.id) in self.settle_after_checks:
                outcome = self.settle_after_checks.pop((i.source, i.id))
                if outcome is None:
                    self.values.pop((i.source, i.id))
                else:
                    self.values[(i.source, i.id)] = outcome
        return await self.claim(identities)

    async def confirm(self, identities: list[Identity]) -> None:
        for i in identities:
            self.values[(i.source, i.id)] = f"accepted:{i.fingerprint}"

    async def release(self, identities: list[Identity]) -> None:
        for i in identities:
            self.values.pop((i.source, i.id), None)


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
    assert outcome.status is Status.ACCEPTED
    assert [e.id for e in publisher.published] == ["b6f1c1e2-0002"]
    assert next(iter(dedup.values.values())).startswith("accepted:")


async def test_retry_of_an_accepted_event_is_a_duplicate_and_not_published_again(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    await intake(dedup, publisher).submit(AGENCY, [event()], [])
    [outcome] = await intake(dedup, publisher).submit(AGENCY, [event()], [])
    assert outcome.status is Status.DUPLICATE
    assert len(publisher.published) == 1


async def test_same_id_with_other_content_is_a_conflict(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    await intake(dedup, publisher).submit(AGENCY, [event()], [])
    changed = event(subject="something else")
    [outcome] = await intake(dedup, publisher).submit(AGENCY, [changed], [])
    assert outcome.status is Status.REJECTED
    assert outcome.problem is not None
    assert (outcome.problem.status, outcome.problem.slug) == (409, "id-reused")


async def test_event_in_flight_elsewhere_is_a_duplicate_once_that_request_succeeds(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    first = intake(dedup, publisher)
    await first.submit(AGENCY, [event()], [])
    key = next(iter(dedup.values))
    accepted = dedup.values[key]
    dedup.values[key] = accepted.replace("accepted", "pending")
    dedup.settle_after_checks[key] = accepted
    [outcome] = await intake(dedup, publisher).submit(AGENCY, [event()], [])
    assert outcome.status is Status.DUPLICATE
    assert len(publisher.published) == 1


async def test_event_whose_other_request_gave_up_is_published_here(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    dedup.values[("/agencies/so-tu-phap/mot-cua", "b6f1c1e2-0002")] = "pending:x"
    dedup.settle_after_checks[("/agencies/so-tu-phap/mot-cua", "b6f1c1e2-0002")] = None
    [outcome] = await intake(dedup, publisher).submit(AGENCY, [event()], [])
    assert outcome.status is Status.ACCEPTED
    assert len(publisher.published) == 1


async def test_broker_refusal_releases_the_claims_and_answers_503(dedup: FakeDedup) -> None:
    failing = FakePublisher(PublishUnavailableError("down", settling=False))
    with pytest.raises(ProblemError) as error:
        await intake(dedup, failing).submit(AGENCY, [event()], [])
    assert error.value.problem.status == 503
    assert error.value.problem.headers["Retry-After"]
    assert dedup.values == {}


async def test_timeout_keeps_the_claim_until_the_late_acknowledgement_settles(
    dedup: FakeDedup,
) -> None:
    slow = FakePublisher(PublishUnavailableError("slow", settling=True))
    with pytest.raises(ProblemError):
        await intake(dedup, slow).submit(AGENCY, [event()], [])
    assert next(iter(dedup.values.values())).startswith("pending:")
    await slow.pending[0](True)  # the broker did acknowledge, late
    assert next(iter(dedup.values.values())).startswith("accepted:")


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
    assert [o.status for o in outcomes] == [Status.ACCEPTED] + [Status.REJECTED] * 3
    assert outcomes[1].problem is not None
    assert "data.dossier_id" in [e.field for e in outcomes[1].problem.errors]
    assert outcomes[2].problem is not None
    assert outcomes[2].problem.slug == "unknown-event-type"
    assert [e.id for e in publisher.published] == ["b6f1c1e2-0002"]


async def test_the_same_event_twice_in_one_batch_is_published_once(
    dedup: FakeDedup, publisher: FakePublisher
) -> None:
    outcomes = await intake(dedup, publisher).submit(AGENCY, [event(), event()], [])
    assert [o.status for o in outcomes] == [Status.ACCEPTED, Status.DUPLICATE]
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
