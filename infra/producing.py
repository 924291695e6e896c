"""Sending records to Kafka: in one batch per partition, partitioned as the Java client does,
answered per record; and a producer renewed when the broker no longer accepts its sequence."""

import asyncio
import contextlib
import logging
import struct
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from infra.kafka import PRODUCER_LOST

log = logging.getLogger(__name__)

OutgoingRecord = tuple[str, bytes | None, bytes, Sequence[tuple[str, bytes]]]


def caching_partitioner(key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
    """Kafka's default partitioner (murmur2 of the key, as the Java client), remembering the
    partition of recent keys: a producer of snapshots sends the same keys again and again."""
    if key is None:
        return DefaultPartitioner()(key, all_partitions, available)  # type: ignore[no-any-return]
    return all_partitions[_partition_index(key, len(all_partitions))]


@lru_cache(maxsize=1 << 16)
def _partition_index(key: bytes, partitions: int) -> int:
    return (murmur2(key) & 0x7FFFFFFF) % partitions


_M, _MASK = 0x5BD1E995, 0xFFFFFFFF


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 (`Utils.murmur2` of the Java client), as an unsigned 32-bit value: the
    same hash as aiokafka's, in two thirds of the time (whole words unpacked at once)."""
    length = len(data)
    whole = length & ~3
    h = 0x9747B28C ^ length
    for (k,) in struct.iter_unpack("<I", data[:whole]):
        k = (k * _M) & _MASK
        k ^= k >> 24
        h = ((h * _M) & _MASK) ^ ((k * _M) & _MASK)
    if whole < length:
        for shift, byte in enumerate(data[whole:]):
            h ^= byte << (8 * shift)
        h = (h * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    return h ^ (h >> 15)


async def send_in_batches(producer: AIOKafkaProducer, records: Iterable[OutgoingRecord]) -> None:
    """Sends the records as `send_batches` does; raises the first failure, if any."""
    for failure in await send_batches(producer, records):
        if failure is not None:
            raise failure


async def send_batches(
    producer: AIOKafkaProducer, records: Iterable[OutgoingRecord]
) -> list[BaseException | None]:
    """Sends (topic, key, value, headers) records in one batch per partition, partitioned as
    the producer would, and returns once the broker answered for all of them: for each record,
    in order, None if it was acknowledged, else the error that kept it out. (Batches to other
    partitions, on other brokers, may land when one does not.) Thousands of records at once:
    `send()` costs a coroutine and a future per record, this does not."""
    partitions: dict[str, list[int]] = {}
    open_batches: dict[tuple[str, int], int] = {}  # the batch being filled, by partition
    batches: list[tuple[str, int, Any]] = []
    batch_of: list[int] = []  # each record's batch
    for topic, key, value, header_pairs in records:
        # The batch builder takes a list only.
        headers = header_pairs if isinstance(header_pairs, list) else list(header_pairs)
        if topic not in partitions:
            partitions[topic] = sorted(await producer.partitions_for(topic))
        partition = caching_partitioner(key, partitions[topic], partitions[topic])
        filling = open_batches.get((topic, partition))
        if filling is None or not batches[filling][2].append(
            key=key, value=value, timestamp=None, headers=headers
        ):  # none yet, or full: a new one goes out after it, keeping the order
            filling = open_batches[(topic, partition)] = len(batches)
            batches.append((topic, partition, producer.create_batch()))
            if not batches[filling][2].append(
                key=key, value=value, timestamp=None, headers=headers
            ):
                raise ValueError(f"a record for {topic} is larger than a whole batch")
        batch_of.append(filling)
    outcomes = await asyncio.gather(
        *(_send_batch(producer, topic, partition, batch) for topic, partition, batch in batches),
        return_exceptions=True,
    )
    return [outcomes[b] if isinstance(outcomes[b], BaseException) else None for b in batch_of]


async def _send_batch(producer: AIOKafkaProducer, topic: str, partition: int, batch: Any) -> None:
    acknowledged = await producer.send_batch(batch, topic, partition=partition)
    await acknowledged


ProducerFactory = Callable[[], AIOKafkaProducer]


class RenewableProducer:
    """A producer that is renewed when the broker no longer accepts its sequence
    (PRODUCER_LOST): aiokafka's sender then stops for good, and only a new producer (a new
    producer id) sends again. Made by a factory, so tests hand it stand-ins."""

    def __init__(self, make: ProducerFactory) -> None:
        self._make = make
        self._current: AIOKafkaProducer | None = None

    @property
    def current(self) -> AIOKafkaProducer | None:
        return self._current

    async def start(self) -> None:
        producer = self._make()
        try:
            await producer.start()
        except BaseException:
            await producer.stop()
            raise
        self._current = producer

    async def stop(self) -> None:
        if self._current is not None:
            await self._current.stop()

    async def send_all(self, records: Iterable[OutgoingRecord]) -> None:
        """Sends the records as `send_in_batches` does; a lost producer is renewed (the records
        were not sent: the caller sends them again)."""
        producer = self._current
        assert producer is not None, "start() first"
        try:
            await send_in_batches(producer, records)
        except PRODUCER_LOST:
            await self.renew(producer)
            raise

    async def renew(self, lost: AIOKafkaProducer) -> None:
        """A started new producer in place of the lost one, which is then stopped. If the new
        one cannot start this raises, and there is none until `start` succeeds."""
        if self._current is None or self._current != lost:
            return  # renewed already, by another caller
        log.warning("Kafka no longer accepts this producer's sequence; starting a new producer")
        self._current = None
        try:
            await self.start()
        finally:
            with contextlib.suppress(Exception):  # it is stopping because it failed
                await asyncio.wait_for(lost.stop(), 10)
