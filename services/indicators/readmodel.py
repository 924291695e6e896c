"""The KPI state in Redis, which is also the read model:
- `<prefix>row:<indicator|scope|period>`: hash of numerator, denominator, value, reported_at,
  updated_at (by Redis's clock) (one per KPI row, all source partitions together);
- `<prefix>index:<indicator>`: set of `scope|period` with a row;
- `<prefix>progress`: hash of the last offset applied per source `topic/partition`.
The worker writes them (state.py); this module reads them."""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis

from contracts.kpi import KpiKey, KpiSnapshot, indicator_of
from domain.kpi.rows import Row, kpi_value
from infra.redis_client import text


class KpiKeys:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.progress = f"{prefix}progress"

    def row(self, kpi: str) -> str:
        return f"{self.prefix}row:{kpi}"

    def index(self, indicator: str) -> str:
        return f"{self.prefix}index:{indicator}"


ROW_FIELDS = ("numerator", "denominator", "value", "reported_at")
# Many rows in one command: a pipeline would pack (in Python) one command per row.
# ARGV: the fields to read, from each row named in KEYS.
READ_ROWS = """
local rows = {}
for i, key in ipairs(KEYS) do
  rows[i] = redis.call('HMGET', key, unpack(ARGV))
end
return rows
"""


async def read_rows(redis: aioredis.Redis, keys: KpiKeys, kpis: list[str]) -> list[list[Any]]:
    """The fields of each row, ROW_FIELDS then updated_at (all None: no such row)."""
    if not kpis:
        return []
    script = redis.register_script(READ_ROWS)
    rows: list[list[Any]] = await script(
        keys=[keys.row(k) for k in kpis], args=[*ROW_FIELDS, "updated_at"]
    )
    return rows


def row_of(fields: list[bytes | None]) -> Row:
    """A row from its hash fields, read in the order of ROW_FIELDS."""
    numerator, denominator, value, reported_at = fields[:4]
    return Row(
        float(numerator or 0),
        float(denominator or 0),
        float(value) if value is not None else None,
        reported_at.decode() if reported_at is not None else None,
    )


def stamp_of(updated_at: bytes) -> datetime:
    """A row's updated_at: microseconds since the epoch by Redis's clock (ISO 8601 in rows
    written before that)."""
    text = updated_at.decode()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1_000_000, UTC)
    return datetime.fromisoformat(text)


def to_snapshot(kpi: str, row: Row, factor: float, updated_at: datetime) -> KpiSnapshot:
    indicator, scope, period = KpiKey.parse(kpi)
    return KpiSnapshot(
        indicator=indicator,
        scope=scope,
        period=period,
        value=kpi_value(row, factor),
        numerator=row.numerator,
        denominator=row.denominator,
        reported_at=datetime.fromisoformat(row.reported_at) if row.reported_at else None,
        updated_at=updated_at,
    )


async def read_snapshots(
    redis: aioredis.Redis, keys: KpiKeys, kpis: list[str], factors: Mapping[str, float]
) -> list[KpiSnapshot]:
    found = []
    for kpi, fields in zip(kpis, await read_rows(redis, keys, kpis), strict=True):
        if fields[-1] is not None:
            factor = factors.get(indicator_of(kpi), 100.0)
            found.append(to_snapshot(kpi, row_of(fields), factor, stamp_of(fields[-1])))
    return found


class KpiReadModel:
    def __init__(
        self, redis: aioredis.Redis, prefix: str, factors: Mapping[str, float] | None = None
    ) -> None:
        self._redis, self._keys, self._factors = redis, KpiKeys(prefix), factors or {}

    async def indicators(self) -> list[str]:
        found = [key async for key in self._redis.scan_iter(match=self._keys.index("*"), count=500)]
        start = len(self._keys.index(""))
        return sorted(text(k)[start:] for k in found)

    async def snapshots(
        self,
        indicator: str,
        scopes: Iterable[str] | None = None,
        periods: Iterable[str] | None = None,
    ) -> list[KpiSnapshot]:
        members = await self._redis.smembers(self._keys.index(indicator))
        keys = [KpiKey.parse(f"{indicator}|{text(m)}") for m in members]
        wanted_scopes, wanted_periods = set(scopes or []), set(periods or [])
        picked = [
            str(k)
            for k in keys
            if (not wanted_scopes or k.scope in wanted_scopes)
            and (not wanted_periods or k.period in wanted_periods)
        ]
        found = await read_snapshots(self._redis, self._keys, picked, self._factors)
        return sorted(found, key=lambda s: (s.scope, s.period))
