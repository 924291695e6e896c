"""Idempotency in Redis: `source`+`id` is claimed before producing, so a retry is answered as a
duplicate and never produced twice, also when retries race.

Each attempt to produce a group of events has an id. An event's key names the attempt that
claimed it, `<prefix>seen:<source> <id>` → `<attempt>:<fingerprint>`, kept for the retention
period; the attempt's fate is one key, `<prefix>attempt:<attempt>` → `pending` (short expiry,
so a crashed request frees its events) → `accepted` (kept longer than its events). So producing
a batch of 500 events writes 500 keys and one fate, not 500 keys twice. An event whose attempt
is gone (released when Kafka refused it, or expired) is claimed again. After the retention
period a retry is accepted again.

The same claim records who publishes a dossier or a feedback report: `<prefix>owner:<object>`
→ the agency of its first event, kept as long as its events keep coming (and a while after).
Another agency's event about it is refused (`FOREIGN`) and claims nothing: an agency writes
only its own dossiers."""

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import NamedTuple

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from infra.problems import unavailable
from infra.redis_client import redis_answers


class Claim(StrEnum):
    CLAIMED = "claimed"  # this attempt owns the event and must produce it
    DUPLICATE = "duplicate"  # accepted before, same content
    CONFLICT = "conflict"  # accepted before with different content: an id reused
    IN_FLIGHT = "in_flight"  # another request is producing it right now
    FOREIGN = "foreign"  # about a dossier or feedback report another agency publishes


class Identity(NamedTuple):
    source: str
    id: str
    fingerprint: str
    owner: str = ""  # the object whose publisher is checked (`dossier:<id>`), if any
    agency: str = ""  # the publisher


def new_attempt() -> str:
    return secrets.token_hex(8)


# One command per group instead of one per event: the claims (SET NX GET) of a whole group in
# one round trip, packed as "key<TAB>fingerprint<TAB>object<TAB>agency" lines in one argument
# (packing a thousand separate arguments costs more than the Redis work). An event another
# attempt holds answers that attempt's fate: "pending", or "accepted:<fingerprint>". Values
# written before attempts existed ("pending:…", "accepted:…") read as attempts whose fate is
# their name. The keys are built inside the script, so it needs a single Redis node, as IOC
# deploys it.
_CLAIM = r"""
local attempts, attempt, pending, retention = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local owners, owned_for = ARGV[6], ARGV[7]
local fates = {pending = 'pending', accepted = 'accepted'}
local answers, claimed = {}, 0
local line = '([^\t\n]+)\t([^\t\n]+)\t([^\t\n]*)\t([^\n]*)'
for key, fingerprint, owner, agency in string.gmatch(ARGV[5], line) do
  local answer, held = '', false
  if owner ~= '' then
    -- One command in the usual case (its publisher again: the expiry moves on); another
    -- agency's event puts the publisher back.
    local publisher = redis.call('SET', owners .. owner, agency, 'GET', 'EX', owned_for)
    if publisher and publisher ~= agency then
      redis.call('SET', owners .. owner, publisher, 'EX', owned_for)
      answer = 'foreign:' .. publisher
    end
  end
  local mine = attempt .. ':' .. fingerprint
  if answer == '' then held = redis.call('SET', key, mine, 'NX', 'GET', 'EX', retention) end
  if held then
    local other, theirs = string.match(held, '^([^:]*):(.*)$')
    local fate = fates[other]
    if fate == nil then
      fate = redis.call('GET', attempts .. other) or 'gone'
      fates[other] = fate
    end
    if fate == 'gone' then
      redis.call('SET', key, mine, 'EX', retention)
    elseif fate == 'pending' then
      answer = 'pending'
    else
      answer = fate .. ':' .. theirs
    end
  end
  if answer == '' then claimed = claimed + 1 end
  answers[#answers + 1] = answer
end
if claimed > 0 then redis.call('SET', attempts .. attempt, 'pending', 'EX', pending) end
return answers
"""


class DedupStore:
    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        retention_seconds: int,
        pending_seconds: int,
        owner_retention_seconds: int,
        prefix: str = "ioc:ingest:",
    ) -> None:
        self._redis = redis
        self._seen, self._attempts = f"{prefix}seen:", f"{prefix}attempt:"
        self._owners, self._owned_for = f"{prefix}owner:", owner_retention_seconds
        self._retention, self._pending = retention_seconds, pending_seconds
        self._claim_script = redis.register_script(_CLAIM)

    def _key(self, identity: Identity) -> str:
        return f"{self._seen}{identity.source} {identity.id}"

    async def claim(self, identities: list[Identity], attempt: str) -> list[Claim]:
        """Claims the events for `attempt`; the others answer what became of them."""
        if not identities:
            return []
        # Sources, ids and agency codes hold no tabs or newlines: the contracts forbid whitespace
        # in `source` and codes, control characters in ids.
        lines = "\n".join(
            f"{self._key(i)}\t{i.fingerprint}\t{i.owner}\t{i.agency}" for i in identities
        )
        async with reachable():
            answers = await self._claim_script(
                args=[
                    self._attempts,
                    attempt,
                    self._pending,
                    self._retention,
                    lines,
                    self._owners,
                    self._owned_for,
                ]
            )
        return [_claim_of(a, i.fingerprint) for a, i in zip(answers, identities, strict=True)]

    async def await_settled(
        self, identities: list[Identity], attempt: str, timeout_seconds: float
    ) -> list[Claim]:
        """Wait for events in flight elsewhere; claim for `attempt` those whose attempt gave
        up."""
        deadline = asyncio.get_running_loop().time() + timeout_seconds
        claims = [Claim.IN_FLIGHT] * len(identities)
        while True:
            waiting = [i for i, c in enumerate(claims) if c is Claim.IN_FLIGHT]
            if not waiting or asyncio.get_running_loop().time() >= deadline:
                return claims
            for i, claim in zip(
                waiting, await self.claim([identities[i] for i in waiting], attempt), strict=True
            ):
                claims[i] = claim
            if any(c is Claim.IN_FLIGHT for c in claims):
                await asyncio.sleep(0.05)

    async def confirm(self, attempt: str) -> None:
        """Kafka acknowledged the attempt's events: retries of them are duplicates."""
        async with reachable():
            # Written after its events' keys, with the same retention: it outlives them.
            await self._redis.set(self._attempts + attempt, "accepted", ex=self._retention)

    async def release(self, attempt: str) -> None:
        """The attempt's events were not produced: the next claim of each takes it."""
        async with reachable():
            await self._redis.delete(self._attempts + attempt)

    async def forget(self, identities: list[Identity]) -> None:
        """These events of a pending attempt were not produced: the next claim of each takes
        it, while the attempt's others keep its fate."""
        if not identities:
            return
        async with reachable():
            await self._redis.delete(*(self._key(i) for i in identities))

    async def ping(self) -> bool:
        return await redis_answers(self._redis)


@asynccontextmanager
async def reachable() -> AsyncIterator[None]:
    """Redis unreachable: no dedup guarantee, so refuse with 503 rather than risk a double count."""
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError, OSError) as e:
        raise unavailable(f"Redis is unreachable: {type(e).__name__}", 5) from e


def _claim_of(answer: bytes, fingerprint: str) -> Claim:
    if not answer:
        return Claim.CLAIMED
    fate, _, stored = answer.decode().partition(":")
    if fate == "pending":
        return Claim.IN_FLIGHT
    if fate == "foreign":
        return Claim.FOREIGN
    return Claim.DUPLICATE if stored == fingerprint else Claim.CONFLICT
