"""The per-agency token bucket on the real Redis: one bucket per agency, whichever process
takes from it."""

import asyncio
import math

import pytest
import redis.asyncio as aioredis

from services.ingest.ratelimit import RateLimiter
from tests.infrastructure import eventually


@pytest.fixture
def limiter(redis_client: aioredis.Redis, unique_name: str) -> RateLimiter:
    return RateLimiter(redis_client, rate=10, burst=20, prefix=f"{unique_name}:")


async def test_bucket_admits_a_burst_then_refills_at_the_rate(limiter: RateLimiter) -> None:
    assert await limiter.wait_for("so-y-te", 20) == 0
    assert await limiter.wait_for("so-y-te", 5) == pytest.approx(0.5, abs=0.05)

    async def refilled() -> bool:  # a refused take removes nothing: asking again is free
        return await limiter.wait_for("so-y-te", 5) == 0

    await eventually(refilled, within=2)


async def test_refused_take_removes_nothing_and_too_much_never_fits(limiter: RateLimiter) -> None:
    assert await limiter.wait_for("so-y-te", 21) == math.inf
    assert await limiter.wait_for("so-y-te", 15) == 0
    assert await limiter.wait_for("so-y-te", 10) > 0
    assert await limiter.wait_for("so-y-te", 5) == 0


async def test_agencies_have_separate_buckets(limiter: RateLimiter) -> None:
    assert await limiter.wait_for("so-y-te", 20) == 0
    assert await limiter.wait_for("so-y-te", 1) > 0
    assert await limiter.wait_for("so-tu-phap", 20) == 0


async def test_processes_share_the_agencys_bucket(
    redis_client: aioredis.Redis, redis_url: str, unique_name: str
) -> None:
    other = aioredis.Redis.from_url(redis_url)  # another worker or replica: its own connection
    try:
        limiters = [
            RateLimiter(client, rate=1, burst=10, prefix=f"{unique_name}:")
            for client in (redis_client, other)
        ]
        waits = await asyncio.gather(*(limiters[i % 2].wait_for("so-y-te", 1) for i in range(30)))
    finally:
        await other.aclose()
    assert sum(1 for w in waits if w == 0) == 10
