"""Per-agency rate limit: a token bucket counted in events, so a batch weighs what it holds.

The bucket lives in Redis, taken from and refilled in one script by Redis's own clock, so every
worker process and every replica of ingest shares one bucket per agency: the limit is the
agency's, however many processes serve it."""

import math

import redis.asyncio as aioredis

from services.ingest.dedup import reachable

# Returns the seconds to wait as a string (Redis would truncate a Lua number to an integer):
# "0" when taken, "inf" when the amount can never fit. A refused take removes nothing. A full
# bucket is no key at all: it expires once it would have refilled.
_TAKE = r"""
local rate, burst, amount = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or burst
local updated = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
if amount > burst then return 'inf' end
if amount > tokens then return tostring((amount - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - amount), 'updated', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return '0'
"""


class RateLimiter:
    def __init__(
        self, redis: aioredis.Redis, rate: float, burst: int, prefix: str = "ioc:ingest:"
    ) -> None:
        self._rate, self._burst, self._keys = rate, burst, f"{prefix}rate:"
        self._take = redis.register_script(_TAKE)

    async def wait_for(self, agency: str, events: int) -> float:
        """Take `events` tokens from the agency's bucket; returns 0 when taken, else the seconds
        to wait before the same request fits (math.inf: it never will)."""
        async with reachable():
            wait = await self._take(
                keys=[self._keys + agency], args=[self._rate, self._burst, events]
            )
        return math.inf if wait == b"inf" else float(wait)
