"""The worker's KPI state in Redis (the read model too, see readmodel.py). A batch lands in one
Lua script: it checks that each source partition's progress is still what the worker read
(compare-and-set: another worker may have moved a partition on during a rebalance), then adds
the batch's deltas and moves the progress, atomically. A record is so applied exactly once:
its offset is either at or below the progress, or its delta is not in the rows."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import TypeVar

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from contracts.kpi import KpiSnapshot
from kpi.rows import Row
from services.indicators.readmodel import KpiKeys, read_snapshots

log = logging.getLogger(__name__)
T = TypeVar("T")

APPLY_BATCH = """
local n_sources, updated_at = tonumber(ARGV[1]), ARGV[2]
local a = 3
for i = 1, n_sources do
  local stored = redis.call('HGET', KEYS[1], ARGV[a])
  local current = stored and tonumber(stored) or -1
  if current ~= tonumber(ARGV[a + 1]) then
    return {ARGV[a], tostring(current)}
  end
  a = a + 3
end
a = 3
for i = 1, n_sources do
  redis.call('HSET', KEYS[1], ARGV[a], ARGV[a + 2])
  a = a + 3
end
local n_rows = (#KEYS - 1) / 2
for i = 1, n_rows do
  local key = KEYS[1 + i]
  redis.call('HINCRBYFLOAT', key, 'numerator', ARGV[a])
  redis.call('HINCRBYFLOAT', key, 'denominator', ARGV[a + 1])
  local reported_at = ARGV[a + 3]
  if reported_at ~= '' then
    local stored = redis.call('HGET', key, 'reported_at')
    if not stored or reported_at > stored then
      redis.call('HSET', key, 'value', ARGV[a + 2], 'reported_at', reported_at)
    end
  end
  redis.call('HSET', key, 'updated_at', updated_at)
  redis.call('SADD', KEYS[1 + n_rows + i], ARGV[a + 4])
  a = a + 5
end
return 0
"""


class RedisKpiState:
    def __init__(self, redis: aioredis.Redis, prefix: str, factors: Mapping[str, float]) -> None:
        self._redis, self._keys, self._factors = redis, KpiKeys(prefix), factors
        self._apply = redis.register_script(APPLY_BATCH)

    async def progress(self, sources: list[str]) -> dict[str, int]:
        """The last offset applied per source partition (-1: none yet)."""
        stored = await _until_done(lambda: self._redis.hmget(self._keys.progress, sources))
        return {s: int(v) if v is not None else -1 for s, v in zip(sources, stored, strict=True)}

    async def apply(
        self, expected: Mapping[str, int], last: Mapping[str, int], deltas: Mapping[str, Row]
    ) -> bool:
        """Add the deltas and move each source to `last`, if every source is still at
        `expected`; False (nothing written) when another worker moved one on."""
        kpis = list(deltas)
        keys = [self._keys.progress, *(self._keys.row(k) for k in kpis)]
        keys += [self._keys.index(k.split("|")[0]) for k in kpis]
        args: list[str | int | float] = [len(expected), datetime.now(UTC).isoformat()]
        for source, offset in expected.items():
            args += [source, offset, last[source]]
        for kpi in kpis:
            d = deltas[kpi]
            value = "" if d.value is None else d.value
            args += [d.numerator, d.denominator, value, d.reported_at or "", kpi.split("|", 1)[1]]
        result = await _until_done(lambda: self._apply(keys=keys, args=args))
        if result != 0:
            log.warning("source %s moved on to %s by another worker: batch re-read", *result)
        return bool(result == 0)

    async def snapshots(self, kpis: list[str]) -> list[KpiSnapshot]:
        return await _until_done(
            lambda: read_snapshots(self._redis, self._keys, kpis, self._factors)
        )


async def _until_done(call: Callable[[], Awaitable[T]]) -> T:
    """Redis down holds the stream here (nothing is acknowledged) until it answers again."""
    delay = 0.2
    while True:
        try:
            return await call()
        except (RedisConnectionError, RedisTimeoutError, OSError) as e:
            log.warning("Redis unavailable (%s); retrying in %.1fs", e, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
