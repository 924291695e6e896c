"""The faust worker: one agent over the three event topics, in batches, with the KPI rows in a
table whose changelog (in Kafka) is the state. The agent is thin: `Processor` does the work.

at_least_once processing: a batch is acknowledged only after its rows reached the changelog,
and each row carries the last source offset applied to it, so a redelivered record is skipped
row by row (kpi/rows.py): no event counts twice, and state grows with KPIs, not events."""

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import faust
import redis.asyncio as aioredis
from faust.types import TableT
from prometheus_client import Counter, Histogram

from catalog import load_province
from contracts.topics import DEAD_LETTERS, EVENT_TOPICS, KPI_SNAPSHOTS
from kpi.definitions import load_definitions
from kpi.rows import Row
from services.indicators.outputs import KpiOutputs
from services.indicators.processor import Processor, Record
from services.indicators.settings import IndicatorsSettings

log = logging.getLogger(__name__)

EVENTS = Counter(
    "ioc_indicators_events", "Records consumed, by outcome (applied, dead_letter).", ["outcome"]
)
BATCH_SECONDS = Histogram(
    "ioc_indicators_batch_duration_seconds", "Time to apply one batch and publish its changes."
)


class FaustRowStore:
    """KPI rows in a faust table, written to its changelog once per batch and row: the final
    value only, to the changelog partition of the row's source partition (named explicitly: a
    batch spans partitions). flush() returns once the broker acknowledged them all, so a batch
    is never acknowledged before its rows are durable, and no two versions of a row are ever in
    flight together (faust's producer buffer may reorder them: seen as lost counts)."""

    def __init__(self, table: TableT[Any, Any]) -> None:
        self._table = table
        self._dirty: dict[str, tuple[int, str]] = {}

    def get(self, key: str) -> Row | None:
        stored = self._table.data.get(key)
        return Row.from_json(stored) if stored is not None else None

    def put(self, partition: int, key: str, row: Row) -> None:
        text = row.to_json()
        self._table.data[key] = text
        self._dirty[key] = (partition, text)

    async def flush(self) -> None:
        dirty, self._dirty = self._dirty, {}
        if dirty:
            await asyncio.gather(
                *(self._table.send_changelog(p, key, text) for key, (p, text) in dirty.items())
            )
            await self._table.app.producer.flush()


def create_worker(settings: IndicatorsSettings) -> faust.App:
    prefix = settings.topic_prefix
    app = faust.App(
        settings.app_id,
        broker=";".join(f"kafka://{s}" for s in settings.kafka_bootstrap_servers.split(",")),
        # Rebuilt from the changelog on start. Known gap (see the fault test): after kill -9 the
        # memory store can come back with stale rows for partitions that were not active in the
        # first rebalance; a store that persists per partition (rocksdb) is the next step.
        store="memory://",
        processing_guarantee="at_least_once",
        topic_partitions=EVENT_TOPICS[0].partitions,
        topic_replication_factor=settings.topic_replication_factor,
        consumer_auto_offset_reset="earliest",  # a new worker counts history from the start
        web_enabled=False,
        datadir=str(settings.data_dir),
        stream_buffer_maxsize=max(4096, settings.batch_size * 2),
        broker_session_timeout=settings.session_timeout_seconds,
        # No standby replicas: a standby replaying the changelog can overwrite rows of a
        # partition that has just become active (seen as lost counts after kill -9). An active
        # partition always recovers its rows from the changelog before it processes records.
        table_standby_replicas=0,
        broker_rebalance_timeout=settings.session_timeout_seconds * 2,
    )
    events = app.topic(
        *(prefix + t.name for t in EVENT_TOPICS), key_serializer="raw", value_serializer="raw"
    )
    snapshots = app.topic(prefix + KPI_SNAPSHOTS.name, key_serializer="raw", value_serializer="raw")
    dead_letters = app.topic(
        prefix + DEAD_LETTERS.name, key_serializer="raw", value_serializer="raw"
    )
    table = app.Table(
        "kpi-rows", partitions=EVENT_TOPICS[0].partitions, key_type=str, value_type=str
    )
    definitions = load_definitions()
    redis = aioredis.Redis.from_url(settings.redis_url, socket_timeout=5)

    async def send_snapshot(
        key: bytes | None, value: bytes, headers: Sequence[tuple[str, bytes]]
    ) -> None:
        await snapshots.send(key=key, value=value)

    async def send_dead_letter(
        key: bytes | None, value: bytes, headers: Sequence[tuple[str, bytes]]
    ) -> None:
        await dead_letters.send(key=key, value=value, headers=list(headers))

    outputs = KpiOutputs(
        redis,
        settings.redis_prefix,
        {d.code: d.factor for d in definitions},
        send_snapshot,
        send_dead_letter,
        settings.app_id,
    )
    processor = Processor(
        definitions, load_province(settings.province), FaustRowStore(table), outputs
    )

    @app.agent(events)
    async def update_kpis(stream: faust.types.StreamT[bytes]) -> None:
        assert isinstance(stream, faust.Stream)  # take_events is on the class, not the protocol
        async for batch in stream.take_events(settings.batch_size, within=settings.batch_seconds):
            # A batch may have been buffered across a rebalance: only records of partitions
            # still ours are applied (the others are redelivered to their new owner).
            owned = app.consumer.assignment()
            batch = [e for e in batch if e.message.tp in owned]
            with BATCH_SECONDS.time():
                dead = await processor.process([_record(e) for e in batch])
                await app.producer.flush()  # snapshots and dead letters delivered before the ack
            EVENTS.labels("applied").inc(len(batch) - dead)
            EVENTS.labels("dead_letter").inc(dead)

    return app


def _record(event: faust.EventT[Any]) -> Record:
    message = event.message
    headers = message.headers or []
    pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    return Record(
        message.topic,
        message.partition,
        message.offset,
        message.key,
        message.value or b"",  # a tombstone is unreadable: it goes to the dead letters
        [(str(k), v if isinstance(v, bytes) else str(v).encode()) for k, v in pairs],
    )
