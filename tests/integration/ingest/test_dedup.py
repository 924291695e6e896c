"""The deduplication store's script on the real Redis: an event's key names the attempt that
claimed it, and that attempt's fate answers every retry."""

import asyncio

import pytest
import redis.asyncio as aioredis

from services.ingest.dedup import Claim, DedupStore, Identity, new_attempt
from tests.infrastructure import eventually


@pytest.fixture
def store(redis_client: aioredis.Redis, unique_name: str) -> DedupStore:
    return DedupStore(
        redis_client,
        retention_seconds=60,
        pending_seconds=1,
        owner_retention_seconds=60,
        prefix=f"{unique_name}:",
    )


def events(*ids: str, fingerprint: str = "f1") -> list[Identity]:
    return [Identity("/agencies/so-tu-phap/mot-cua", i, fingerprint) for i in ids]


async def test_a_confirmed_attempt_makes_retries_duplicates_or_conflicts(
    store: DedupStore,
) -> None:
    first = new_attempt()
    assert await store.claim(events("a", "b"), first) == [Claim.CLAIMED] * 2
    assert await store.claim(events("a"), new_attempt()) == [Claim.IN_FLIGHT]
    await store.confirm(first)
    assert await store.claim(events("a", "c"), new_attempt()) == [Claim.DUPLICATE, Claim.CLAIMED]
    assert await store.claim(events("b", fingerprint="f2"), new_attempt()) == [Claim.CONFLICT]


async def test_a_released_or_expired_attempt_frees_its_events(store: DedupStore) -> None:
    refused, crashed = new_attempt(), new_attempt()
    await store.claim(events("a"), refused)
    await store.release(refused)
    assert await store.claim(events("a"), new_attempt()) == [Claim.CLAIMED]
    await store.claim(events("b"), crashed)
    retry = new_attempt()

    async def taken_again() -> bool:  # once its pending mark expired (the process died)
        return await store.claim(events("b"), retry) == [Claim.CLAIMED]

    await eventually(taken_again, within=5)
    await store.confirm(retry)
    assert await store.claim(events("b"), new_attempt()) == [Claim.DUPLICATE]


async def test_racing_claims_give_each_event_to_one_attempt(store: DedupStore) -> None:
    ids = [f"e{i}" for i in range(200)]
    results = await asyncio.gather(*(store.claim(events(*ids), new_attempt()) for _ in range(8)))
    for i in range(len(ids)):
        assert sorted(r[i] for r in results) == [Claim.CLAIMED] + [Claim.IN_FLIGHT] * 7


async def test_values_written_before_attempts_keep_their_meaning(
    store: DedupStore, redis_client: aioredis.Redis, unique_name: str
) -> None:
    await redis_client.set(f"{unique_name}:seen:/agencies/so-tu-phap/mot-cua old", "accepted:f1")
    await redis_client.set(f"{unique_name}:seen:/agencies/so-tu-phap/mot-cua new", "pending:f1")
    assert await store.claim(events("old", "new"), new_attempt()) == [
        Claim.DUPLICATE,
        Claim.IN_FLIGHT,
    ]
