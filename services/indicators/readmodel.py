"""The Redis read model of the KPIs, rebuildable from the worker's state:
- `<prefix>parts:<indicator|scope|period>`: hash of partial rows, one field per source partition
  (absolute values, so writing one again changes nothing);
- `<prefix>snap:<indicator|scope|period>`: the merged snapshot, JSON;
- `<prefix>index:<indicator>`: set of `scope|period` with a snapshot."""

from collections.abc import Iterable

import redis.asyncio as aioredis

from contracts.kpi import KpiSnapshot


class KpiKeys:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def parts(self, kpi: str) -> str:
        return f"{self.prefix}parts:{kpi}"

    def snapshot(self, kpi: str) -> str:
        return f"{self.prefix}snap:{kpi}"

    def index(self, indicator: str) -> str:
        return f"{self.prefix}index:{indicator}"


class KpiReadModel:
    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self._redis, self._keys = redis, KpiKeys(prefix)

    async def indicators(self) -> list[str]:
        found = [key async for key in self._redis.scan_iter(match=self._keys.index("*"), count=500)]
        start = len(self._keys.index(""))
        return sorted(_text(k)[start:] for k in found)

    async def snapshots(
        self,
        indicator: str,
        scopes: Iterable[str] | None = None,
        periods: Iterable[str] | None = None,
    ) -> list[KpiSnapshot]:
        members = [_text(m) for m in await self._redis.smembers(self._keys.index(indicator))]
        wanted_scopes, wanted_periods = set(scopes or []), set(periods or [])
        picked = [
            m
            for m in members
            if (not wanted_scopes or m.split("|")[0] in wanted_scopes)
            and (not wanted_periods or m.split("|")[1] in wanted_periods)
        ]
        if not picked:
            return []
        raw = await self._redis.mget([self._keys.snapshot(f"{indicator}|{m}") for m in picked])
        found = [KpiSnapshot.model_validate_json(r) for r in raw if r is not None]
        return sorted(found, key=lambda s: (s.scope, s.period))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
