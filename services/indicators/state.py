"""The worker's KPI state in Redis (the read model too, see readmodel.py). A batch lands in one
Lua script: it checks that each source partition's progress is still what the worker read
(compare-and-set: another worker may have moved a partition on during a rebalance), then adds
the batch's deltas and moves the progress, atomically. A record is so applied exactly once:
its offset is either at or below the progress, or its delta is not in the rows."""

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from contracts.kpi import KpiKey
from domain.kpi.rows import Row
from infra.retry import until_done
from services.indicators.processor import Stored
from services.indicators.readmodel import KpiKeys, read_rows, row_of, stamp_of

log = logging.getLogger(__name__)
T = TypeVar("T")

# ARGV[1]: {"sources": [[field, expected, last], ...], "rows":
#           [[numerator, denominator, value, reported_at, index member, index position], ...]}
# KEYS: the progress hash, the row hashes (in the order of "rows"), then the index sets.
# A row's updated_at is Redis's clock, in microseconds since the epoch: one clock for all workers.
APPLY_BATCH = """
local batch = cjson.decode(ARGV[1])
local clock = redis.call('TIME')
local updated_at = clock[1] .. string.format('%06d', clock[2])
for _, source in ipairs(batch.sources) do
  local stored = redis.call('HGET', KEYS[1], source[1])
  local current = stored and tonumber(stored) or -1
  if current ~= source[2] then
    return {source[1], tostring(current)}
  end
end
for _, source in ipairs(batch.sources) do
  redis.call('HSET', KEYS[1], source[1], source[3])
end
local n_rows = #batch.rows
for i, delta in ipairs(batch.rows) do
  local key = KEYS[1 + i]
  if delta[1] ~= 0 then
    redis.call('HINCRBYFLOAT', key, 'numerator', delta[1])
  end
  local denominator = redis.call('HINCRBYFLOAT', key, 'denominator', delta[2])
  if tonumber(denominator) == delta[2] then  -- nothing counted before: a new row, indexed
    redis.call('SADD', KEYS[1 + n_rows + delta[6]], delta[5])
  end
  local reported_at = delta[4]
  if reported_at ~= cjson.null then
    local stored = redis.call('HGET', key, 'reported_at')
    if not stored or reported_at > stored then
      redis.call('HSET', key, 'value', tostring(delta[3]), 'reported_at', reported_at)
    end
  end
  redis.call('HSET', key, 'updated_at', updated_at)
end
return {}
"""


class RedisKpiState:
    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self._redis, self._keys = redis, KpiKeys(prefix)
        self._apply = redis.register_script(APPLY_BATCH)

    async def progress(self, sources: list[str]) -> dict[str, int]:
        """The last offset applied per source partition (-1: none yet)."""
        stored = await _redis(
            "read progress", lambda: self._redis.hmget(self._keys.progress, sources)
        )
        return {s: int(v) if v is not None else -1 for s, v in zip(sources, stored, strict=True)}

    async def apply(
        self, expected: Mapping[str, int], last: Mapping[str, int], deltas: Mapping[str, Row]
    ) -> bool:
        """Add the deltas and move each source to `last`, if every source is still at
        `expected`; False (nothing written) when another worker moved a source on."""
        keys = [self._keys.progress, *(self._keys.row(k) for k in deltas)]
        indexes: dict[str, int] = {}  # position of each indicator's index among the keys
        rows = []
        for kpi, d in deltas.items():
            key = KpiKey.parse(kpi)
            indicator, member = key.indicator, key.member
            position = indexes.setdefault(indicator, len(indexes) + 1)
            rows.append([d.numerator, d.denominator, d.value, d.reported_at, member, position])
        keys += [self._keys.index(indicator) for indicator in indexes]
        batch = {
            "sources": [[s, offset, last[s]] for s, offset in expected.items()],
            "rows": rows,
        }
        args = [json.dumps(batch, separators=(",", ":"))]
        moved = await _redis("apply a batch", lambda: self._apply(keys=keys, args=args))
        if moved:
            log.warning("source %s moved on to %s by another worker: batch re-read", *moved)
        return not moved

    async def stored(self, kpis: list[str]) -> dict[str, Stored]:
        stored = await _redis("read KPI rows", lambda: read_rows(self._redis, self._keys, kpis))
        return {
            kpi: Stored(row_of(fields), stamp_of(fields[-1]))
            for kpi, fields in zip(kpis, stored, strict=True)
            if fields[1]
        }


async def _redis(what: str, call: Callable[[], Awaitable[T]]) -> T:
    """Redis down holds the stream here (nothing is acknowledged) until it answers again."""
    return await until_done(what, call, (RedisConnectionError, RedisTimeoutError, OSError))
