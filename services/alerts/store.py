"""Where alert changes go: the history topic first (the record: replaying it rebuilds every
alert), then the live stream the console follows (a Redis stream, so a client that reconnects
resumes from its Last-Event-ID). The alerts themselves are held by the book in memory, rebuilt
from the history at every start: no other copy is kept."""

import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, TopicPartition

from domain.alerts.model import AlertChange
from infra.kafka import broker_answers
from infra.producing import RenewableProducer
from infra.redis_client import text

log = logging.getLogger(__name__)
STREAM_LENGTH = 10_000  # changes kept for clients that resume


class AlertStore:
    def __init__(
        self, producer: RenewableProducer, topic: str, redis: aioredis.Redis, prefix: str
    ) -> None:
        self._producer, self._topic, self._redis = producer, topic, redis
        self.stream_key = f"{prefix}stream"

    async def record(self, changes: Sequence[AlertChange]) -> None:
        """On the history topic (acknowledged), then on the live stream. A change the topic
        did not take raises: the desk takes it back and makes it again."""
        if not changes:
            return
        await self._producer.send_all(
            [(self._topic, c.key.encode(), c.model_dump_json().encode(), ()) for c in changes]
        )
        pipe = self._redis.pipeline(transaction=False)
        for change in changes:
            pipe.xadd(
                self.stream_key,
                {"change": change.model_dump_json()},
                maxlen=STREAM_LENGTH,
                approximate=True,
            )
        await pipe.execute()

    async def reachable(self) -> bool:
        producer = self._producer.current
        return producer is not None and await broker_answers(producer)

    async def changes_after(self, last_id: str, block_ms: int) -> list[tuple[str, AlertChange]]:
        """(stream id, change) after `last_id`, waiting up to `block_ms` for the first."""
        found: Any = await self._redis.xread({self.stream_key: last_id}, count=500, block=block_ms)
        return [
            (text(entry_id), AlertChange.model_validate_json(fields[b"change"]))
            for _, entries in found
            for entry_id, fields in entries
        ]

    async def last_id(self) -> str:
        entries: Any = await self._redis.xrevrange(self.stream_key, count=1)
        return text(entries[0][0]) if entries else "0-0"


async def replay_history(consumer: AIOKafkaConsumer, topic: str) -> AsyncIterator[AlertChange]:
    """Every change on the history topic, from the first to the last there now (the consumer
    started, in no group)."""
    partition = TopicPartition(topic, 0)
    consumer.assign([partition])
    await consumer.seek_to_beginning(partition)
    end = (await consumer.end_offsets([partition]))[partition]
    while await consumer.position(partition) < end:
        for records in (await consumer.getmany(partition, timeout_ms=1000)).values():
            for record in records:
                if record.value is not None:
                    yield AlertChange.model_validate_json(record.value)
