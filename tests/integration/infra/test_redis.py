"""A round trip through the real Redis, with the primitives the services build on."""

import asyncio

import redis.asyncio as aioredis


async def test_value_round_trips_with_its_expiry(
    redis_client: aioredis.Redis, unique_name: str
) -> None:
    key = f"{unique_name}:greeting"
    await redis_client.set(key, "Xin chào Quảng Ngãi".encode(), ex=60)

    assert await redis_client.get(key) == "Xin chào Quảng Ngãi".encode()
    assert 0 < await redis_client.ttl(key) <= 60


async def test_set_if_absent_admits_exactly_one_of_concurrent_claims(
    redis_client: aioredis.Redis, unique_name: str
) -> None:
    key = f"{unique_name}:claim"
    results = await asyncio.gather(*(redis_client.set(key, i, nx=True, ex=60) for i in range(20)))

    assert sum(1 for r in results if r) == 1
