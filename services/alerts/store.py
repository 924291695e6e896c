"""Where alert changes go: the history topic first (the record: replaying it rebuilds every
alert), then the Redis read model and the live stream the console follows (a Redis stream, so
a client that reconnects resumes from its Last-Event-ID)."""

import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import redis.asyncio as aioredis
from aiokafka import AIOKafkaProducer, TopicPartition

from domain.alerts.model import Alert, AlertChange, Silence
from infra.kafka import (
    PRODUCER_LOST,
    OutgoingRecord,
    broker_answers,
    new_consumer,
    new_producer,
    send_in_batches,
    successor,
)

log = logging.getLogger(__name__)
STREAM_LENGTH = 10_000  # changes kept for clients that resume


class AlertStore:
    def __init__(self, bootstrap: str, topic: str, redis: aioredis.Redis, prefix: str) -> None:
        self._bootstrap, self._topic, self._redis = bootstrap, topic, redis
        self._producer: AIOKafkaProducer | None = None
        self.alerts_key, self.silences_key = f"{prefix}alerts", f"{prefix}silences"
        self.stream_key = f"{prefix}stream"

    async def start(self) -> None:
        producer = new_producer(self._bootstrap)
        await producer.start()  # a failed start keeps the old one, to be renewed again
        self._producer = producer

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def record(self, changes: Sequence[AlertChange]) -> None:
        if not changes:
            return
        producer = self._producer
        assert producer is not None, "start() first"
        try:
            acks = [
                await producer.send(self._topic, c.model_dump_json().encode(), key=c.key.encode())
                for c in changes
            ]
            for ack in acks:
                await ack
        except PRODUCER_LOST:
            await self._renew(producer)
            raise  # not recorded: the desk takes the changes back and makes them again
        pipe = self._redis.pipeline(transaction=False)
        for change in changes:
            self._write(pipe, change)
            pipe.xadd(
                self.stream_key,
                {"change": change.model_dump_json()},
                maxlen=STREAM_LENGTH,
                approximate=True,
            )
        await pipe.execute()

    async def reachable(self) -> bool:
        return self._producer is not None and await broker_answers(self._producer)

    async def send(self, records: Sequence[OutgoingRecord]) -> None:
        """Other records of the service (its dead letters), acknowledged when this returns."""
        producer = self._producer
        assert producer is not None, "start() first"
        try:
            await send_in_batches(producer, records)
        except PRODUCER_LOST:
            await self._renew(producer)
            raise

    async def _renew(self, lost: AIOKafkaProducer) -> None:
        self._producer = await successor(lost, self._bootstrap)

    async def rebuild(self, alerts: Sequence[Alert], silences: Sequence[Silence]) -> None:
        """The read model from the book (itself replayed from the history topic)."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(self.alerts_key, self.silences_key)
        for alert in alerts:
            pipe.hset(self.alerts_key, alert.fingerprint, alert.model_dump_json())
        for silence in silences:
            pipe.hset(self.silences_key, silence.id, silence.model_dump_json())
        await pipe.execute()

    def _write(self, pipe: "aioredis.client.Pipeline", change: AlertChange) -> None:
        if change.alert is not None:
            pipe.hset(self.alerts_key, change.alert.fingerprint, change.alert.model_dump_json())
        if change.silence is not None:
            pipe.hset(self.silences_key, change.silence.id, change.silence.model_dump_json())

    async def alerts(self) -> list[Alert]:
        return [Alert.model_validate_json(v) for v in await self._redis.hvals(self.alerts_key)]

    async def silences(self) -> list[Silence]:
        return [Silence.model_validate_json(v) for v in await self._redis.hvals(self.silences_key)]

    async def changes_after(self, last_id: str, block_ms: int) -> list[tuple[str, str]]:
        """(stream id, change JSON) after `last_id` ("$": only new ones), waiting up to
        `block_ms` for the first."""
        found: Any = await self._redis.xread({self.stream_key: last_id}, count=500, block=block_ms)
        return [
            (_text(entry_id), _text(fields[b"change"]))
            for _, entries in found
            for entry_id, fields in entries
        ]

    async def last_id(self) -> str:
        entries: Any = await self._redis.xrevrange(self.stream_key, count=1)
        return _text(entries[0][0]) if entries else "0-0"


async def replay_history(bootstrap: str, topic: str) -> AsyncIterator[AlertChange]:
    """Every change on the history topic, from the first to the last there now."""
    consumer = new_consumer(bootstrap, group_id=None)
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        end = (await consumer.end_offsets([partition]))[partition]
        while await consumer.position(partition) < end:
            for records in (await consumer.getmany(partition, timeout_ms=1000)).values():
                for record in records:
                    if record.value is not None:
                        yield AlertChange.model_validate_json(record.value)
    finally:
        await consumer.stop()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
