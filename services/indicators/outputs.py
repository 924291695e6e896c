"""Where a batch's changed rows go: the Redis read model (partials, merged snapshots, index),
the compacted snapshot topic, and the dead-letter topic for records that cannot be read."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from contracts.kpi import KpiSnapshot
from kpi.rows import Row, kpi_value, merge
from services.indicators.processor import Changed, Record
from services.indicators.readmodel import KpiKeys

log = logging.getLogger(__name__)

SendRecord = Callable[[bytes | None, bytes, Sequence[tuple[str, bytes]]], Awaitable[None]]


class KpiOutputs:
    def __init__(
        self,
        redis: aioredis.Redis,
        prefix: str,
        factors: Mapping[str, float],
        send_snapshot: SendRecord,
        send_dead_letter: SendRecord,
        consumer: str,
    ) -> None:
        self._redis, self._keys, self._factors = redis, KpiKeys(prefix), factors
        self._send_snapshot, self._send_dead_letter = send_snapshot, send_dead_letter
        self._consumer = consumer

    async def publish(self, changed: list[Changed]) -> None:
        if not changed:
            return
        snapshots = await self._write_until_done(changed)
        for snapshot in snapshots:
            await self._send_snapshot(
                snapshot.key().encode(), snapshot.model_dump_json().encode(), []
            )

    async def dead_letter(self, record: Record, reason: str) -> None:
        log.warning(
            "dead letter %s/%s@%s: %s", record.topic, record.partition, record.offset, reason
        )
        headers = [
            *record.headers,
            ("ioc_dlq_reason", reason.encode()),
            ("ioc_dlq_topic", record.topic.encode()),
            ("ioc_dlq_partition", str(record.partition).encode()),
            ("ioc_dlq_offset", str(record.offset).encode()),
            ("ioc_dlq_consumer", self._consumer.encode()),
        ]
        await self._send_dead_letter(record.key, record.value, headers)

    async def _write_until_done(self, changed: list[Changed]) -> list[KpiSnapshot]:
        """Redis down holds the stream here (nothing is acknowledged) until it answers again."""
        delay = 0.2
        while True:
            try:
                return await self._write(changed)
            except (RedisConnectionError, RedisTimeoutError, OSError) as e:
                log.warning("Redis unavailable (%s); retrying in %.1fs", e, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _write(self, changed: list[Changed]) -> list[KpiSnapshot]:
        kpis = sorted({c.kpi for c in changed})
        pipe = self._redis.pipeline(transaction=False)
        for c in changed:
            pipe.hset(self._keys.parts(c.kpi), c.source, c.row.to_json())
        for kpi in kpis:
            pipe.hgetall(self._keys.parts(kpi))
        partials = (await pipe.execute())[len(changed) :]
        now = datetime.now(UTC)
        snapshots = [
            self._snapshot(kpi, rows, now) for kpi, rows in zip(kpis, partials, strict=True)
        ]
        pipe = self._redis.pipeline(transaction=False)
        for snapshot in snapshots:
            pipe.set(self._keys.snapshot(snapshot.key()), snapshot.model_dump_json())
            pipe.sadd(self._keys.index(snapshot.indicator), f"{snapshot.scope}|{snapshot.period}")
        await pipe.execute()
        return snapshots

    def _snapshot(self, kpi: str, partials: Mapping[bytes, bytes], now: datetime) -> KpiSnapshot:
        indicator, scope, period = kpi.split("|")
        total = merge(Row.from_json(v) for v in partials.values())
        return KpiSnapshot(
            indicator=indicator,
            scope=scope,
            period=period,
            value=kpi_value(total, self._factors.get(indicator, 100.0)),
            numerator=total.numerator,
            denominator=total.denominator,
            reported_at=total.reported_at,
            updated_at=now,
        )
