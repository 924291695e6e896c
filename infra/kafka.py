"""Kafka clients configured once, with the reasons, for every service, test and benchmark."""

import asyncio
import contextlib
import logging
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import cache, lru_cache
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    InvalidProducerEpoch,
    KafkaError,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    UnknownProducerId,
)
from aiokafka.helpers import create_ssl_context
from aiokafka.partitioner import DefaultPartitioner

from contracts.topics import Topic
from infra.settings import KafkaSecurity

log = logging.getLogger(__name__)
_TOPIC_ALREADY_EXISTS = 36
# The broker no longer accepts a producer's sequence numbers (seen after a broker restart): the
# batch was not written, and aiokafka's sender has stopped for good. Only a new producer (a new
# producer id) sends again.
PRODUCER_LOST = (OutOfOrderSequenceNumber, UnknownProducerId, InvalidProducerEpoch, ProducerFenced)


def new_producer(bootstrap_servers: str, **overrides: Any) -> AIOKafkaProducer:
    """A producer whose acknowledgement means the record is durable and written once.

    aiokafka defaults to acks=1, which loses acknowledged records when a leader fails;
    idempotence implies acks=all and lets the broker drop duplicates of producer retries.
    """
    options: dict[str, Any] = {
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,  # a short wait fills batches under load at little latency cost
        # 16 KiB (the default) holds ~30 events: fewer, larger requests double the throughput.
        # Also the largest record a producer can send: above ingest's 256 KiB event limit.
        "max_batch_size": 512 * 1024,
        "request_timeout_ms": 15_000,
    }
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, **(options | security_options() | overrides)
    )


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


OutgoingRecord = tuple[str, bytes | None, bytes, Sequence[tuple[str, bytes]]]


class Consumed(Protocol):
    """A record as consumed: aiokafka's ConsumerRecord is one, taken as it comes."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...  # None: a tombstone
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...


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


async def broker_answers(client: AIOKafkaProducer) -> bool:
    """Whether the cluster answers a metadata request now: readiness asks the broker itself, so a
    stopped broker shows at once (a client only notices at its next request or refresh)."""
    try:
        await asyncio.wait_for(client.client.fetch_all_metadata(), 2.0)
    except (KafkaError, OSError, TimeoutError):
        return False
    return True


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


def new_consumer(
    bootstrap_servers: str, *topics: str, group_id: str | None, **overrides: Any
) -> AIOKafkaConsumer:
    """A consumer that commits only what the caller has processed.

    `earliest`: a new group starts from the beginning of history, otherwise a cold start would
    silently skip every event published before it joined.
    """
    options: dict[str, Any] = {
        "auto_offset_reset": "earliest",
        "enable_auto_commit": False,
        "isolation_level": "read_committed",
    }
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        **(options | security_options() | overrides),
    )


@cache
def security_options() -> dict[str, Any]:
    """The client options of `KafkaSecurity` (from the environment, read once per process)."""
    security = KafkaSecurity()
    options: dict[str, Any] = {"security_protocol": security.security_protocol}
    if security.security_protocol.startswith("SASL"):
        options |= {
            "sasl_mechanism": security.sasl_mechanism,
            "sasl_plain_username": security.sasl_username,
            "sasl_plain_password": (
                security.sasl_password.get_secret_value() if security.sasl_password else None
            ),
        }
    if security.security_protocol.endswith("SSL"):
        options["ssl_context"] = create_ssl_context(cafile=security.ssl_cafile)
    return options


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[Topic], replication_factor: int = 1, prefix: str = ""
) -> list[str]:
    """Create the topics (named `prefix + topic.name`) that do not exist yet; returns those
    created."""
    topics = [replace(t, name=prefix + t.name) for t in topics]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **security_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [
                NewTopic(t.name, t.partitions, replication_factor, topic_configs=dict(t.config))
                for t in missing
            ]
        )
        failures = [
            f"{name}: {message or code}"
            for name, code, message in response.topic_errors
            if code not in (0, _TOPIC_ALREADY_EXISTS)
        ]
        if failures:
            raise RuntimeError("could not create topics: " + "; ".join(failures))
        return [t.name for t in missing]
    finally:
        await admin.close()
