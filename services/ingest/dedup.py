"""Idempotency in Redis: `source`+`id` is claimed before producing and marked accepted after
Kafka's acknowledgement, so a retry is answered as a duplicate and never produced twice.

Keys: `<prefix><source> <id>` → `pending:<fingerprint>` while in flight (short expiry, so a
crashed request frees its events) → `accepted:<fingerprint>` for the retention period. After the
retention period a retry is accepted again; consumers dedupe on the event identity as well."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import NamedTuple

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ioc.problems import unavailable


class Claim(StrEnum):
    CLAIMED = "claimed"  # this request owns the event and must produce it
    DUPLICATE = "duplicate"  # accepted before, same content
    CONFLICT = "conflict"  # accepted before with different content: an id reused
    IN_FLIGHT = "in_flight"  # another request is producing it right now


class Identity(NamedTuple):
    source: str
    id: str
    fingerprint: str


# One command per request instead of one per event: the claims (SET NX GET) or confirmations
# of a whole batch in one round trip, its keys and values packed as "key<TAB>value" lines in one
# argument (packing a thousand separate arguments costs more than the Redis work). The keys are
# built inside the script, so it needs a single Redis node, as IOC deploys it.
_CLAIM = r"""
local claimed = {}
for key, value in string.gmatch(ARGV[2], '([^\t\n]+)\t([^\n]+)') do
  claimed[#claimed + 1] = redis.call('SET', key, value, 'NX', 'GET', 'EX', ARGV[1]) or ''
end
return claimed
"""
_CONFIRM = r"""
local n = 0
for key, value in string.gmatch(ARGV[2], '([^\t\n]+)\t([^\n]+)') do
  redis.call('SET', key, value, 'EX', ARGV[1])
  n = n + 1
end
return n
"""


class DedupStore:
    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        retention_seconds: int,
        pending_seconds: int,
        prefix: str = "ioc:ingest:seen:",
    ) -> None:
        self._redis, self._prefix = redis, prefix
        self._retention, self._pending = retention_seconds, pending_seconds
        self._claim_script = redis.register_script(_CLAIM)
        self._confirm_script = redis.register_script(_CONFIRM)

    def _key(self, identity: Identity) -> str:
        return f"{self._prefix}{identity.source} {identity.id}"

    def _lines(self, identities: list[Identity], state: str) -> str:
        # Sources and ids hold no tabs or newlines: the contracts forbid whitespace in `source`
        # and control characters in `id`.
        return "\n".join(f"{self._key(i)}\t{state}:{i.fingerprint}" for i in identities)

    async def claim(self, identities: list[Identity]) -> list[Claim]:
        """SET NX GET per event: 'claimed', or the value another request left there."""
        if not identities:
            return []
        async with _reachable():
            previous = await self._claim_script(
                args=[self._pending, self._lines(identities, "pending")]
            )
        return [
            _claim_of(old or None, i.fingerprint)
            for old, i in zip(previous, identities, strict=True)
        ]

    async def await_settled(
        self, identities: list[Identity], timeout_seconds: float
    ) -> list[Claim]:
        """Wait for events in flight elsewhere; re-claim those whose producer gave up."""
        deadline = asyncio.get_running_loop().time() + timeout_seconds
        claims = [Claim.IN_FLIGHT] * len(identities)
        while True:
            waiting = [i for i, c in enumerate(claims) if c is Claim.IN_FLIGHT]
            if not waiting or asyncio.get_running_loop().time() >= deadline:
                return claims
            for i, claim in zip(
                waiting, await self.claim([identities[i] for i in waiting]), strict=True
            ):
                claims[i] = claim
            if any(c is Claim.IN_FLIGHT for c in claims):
                await asyncio.sleep(0.05)

    async def confirm(self, identities: list[Identity]) -> None:
        if not identities:
            return
        async with _reachable():
            await self._confirm_script(args=[self._retention, self._lines(identities, "accepted")])

    async def release(self, identities: list[Identity]) -> None:
        async with _reachable():
            if identities:
                await self._redis.delete(*(self._key(i) for i in identities))

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except RedisError:
            return False


@asynccontextmanager
async def _reachable() -> AsyncIterator[None]:
    """Redis unreachable: no dedup guarantee, so refuse with 503 rather than risk a double count."""
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError, OSError) as e:
        raise unavailable(f"the deduplication store is unreachable: {type(e).__name__}", 5) from e


def _claim_of(previous: bytes | None, fingerprint: str) -> Claim:
    if previous is None:
        return Claim.CLAIMED
    state, _, stored = previous.decode().partition(":")
    if state == "pending":
        return Claim.IN_FLIGHT
    return Claim.DUPLICATE if stored == fingerprint else Claim.CONFLICT
