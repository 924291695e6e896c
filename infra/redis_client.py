"""What every Redis user shares: readiness asked of Redis itself (503 within seconds of it
stopping, 200 again once it answers), and its answers as text."""

import asyncio

import redis.asyncio as aioredis
from redis.exceptions import RedisError

TIMEOUT_SECONDS = 2.0


async def redis_answers(redis: aioredis.Redis) -> bool:
    try:
        return bool(await asyncio.wait_for(redis.ping(), TIMEOUT_SECONDS))
    except (RedisError, OSError, TimeoutError):
        return False


def text(value: bytes | str) -> str:
    """A Redis answer as text (the client answers bytes unless told to decode)."""
    return value.decode() if isinstance(value, bytes) else value
