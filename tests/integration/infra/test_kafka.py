"""Contract events through the real broker: idempotent acks=all producer in, consumer out."""

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.partitioner import DefaultPartitioner

from contracts import AnyEvent, from_kafka_record, parse_event, to_kafka_record
from contracts.topics import Topic
from infra.kafka import ensure_topics, new_consumer, new_producer
from infra.producing import send_in_batches
from tests.infrastructure import NewTopic

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "contracts/examples/valid").glob("*.json"))


async def consume(bootstrap: str, topic: str, count: int) -> list[tuple[bytes, AnyEvent]]:
    consumer = new_consumer(bootstrap, topic, group_id=None)
    await consumer.start()
    received: list[tuple[bytes, AnyEvent]] = []
    try:
        async with asyncio.timeout(30):
            while len(received) < count:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    received += [(r.key, from_kafka_record(r.value, r.headers)) for r in records]
    finally:
        await consumer.stop()
    return received


async def test_contract_events_round_trip_through_the_broker(
    kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    topic = await new_topic(partitions=3)
    events = [parse_event(p.read_bytes()) for p in EXAMPLES]
    producer = new_producer(kafka_bootstrap)
    await producer.start()
    try:
        for event in events:
            record = to_kafka_record(event)
            metadata = await producer.send_and_wait(
                topic, record.value, key=record.key, headers=list(record.headers)
            )
            assert metadata.offset >= 0
        # The broker granted an idempotent producer session: acks=all with deduplication.
        assert producer._txn_manager.producer_id >= 0
    finally:
        await producer.stop()

    received = await consume(kafka_bootstrap, topic, len(events))

    assert sorted(e.id for _, e in received) == sorted(e.id for e in events)
    assert {e.id: e for _, e in received} == {e.id: e for e in events}
    assert all(key == event.partition_key().encode() for key, event in received)


async def test_events_with_one_key_keep_their_order(
    kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    topic = await new_topic(partitions=3)
    template = parse_event(EXAMPLES[0].read_bytes())
    events = [template.model_copy(update={"id": f"step-{i}"}) for i in range(50)]
    producer = new_producer(kafka_bootstrap)
    await producer.start()
    try:
        sends = []
        for event in events:
            record = to_kafka_record(event)
            sends.append(
                await producer.send(
                    topic, record.value, key=record.key, headers=list(record.headers)
                )
            )
        await asyncio.gather(*sends)
    finally:
        await producer.stop()

    received = await consume(kafka_bootstrap, topic, len(events))

    assert [e.id for _, e in received] == [f"step-{i}" for i in range(50)]


async def test_ensure_topics_applies_partitions_and_config_and_is_repeatable(
    kafka_bootstrap: str, unique_name: str
) -> None:
    topic = Topic(unique_name, "compacted", "k", 4, {"cleanup.policy": "compact"})

    assert await ensure_topics(kafka_bootstrap, [topic]) == [unique_name]
    assert await ensure_topics(kafka_bootstrap, [topic]) == []

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([unique_name])
        [response] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, unique_name, {"cleanup.policy": None})]
        )
    finally:
        await admin.close()
    assert len(described["partitions"]) == 4
    [(_, _, _, resource_name, configs)] = response.resources
    assert resource_name == unique_name
    assert ("cleanup.policy", "compact") in [(c[0], c[1]) for c in configs]


async def test_records_sent_in_batches_land_where_the_producer_would_put_them(
    kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    topic = await new_topic(partitions=3)
    records: list[tuple[str, bytes | None, bytes, Sequence[tuple[str, bytes]]]] = [
        (topic, f"KPI-{i % 700}".encode(), f"value {i}".encode() * 10, (("n", str(i).encode()),))
        for i in range(2000)
    ]
    records.append((topic, b"no headers", b"v", ()))  # headers as a tuple, and empty
    producer = new_producer(kafka_bootstrap, max_batch_size=16 * 1024)  # ~100 records a batch
    await producer.start()
    try:
        await send_in_batches(producer, records)  # returns once all are acknowledged
    finally:
        await producer.stop()
    consumer = new_consumer(kafka_bootstrap, topic, group_id=None)
    await consumer.start()
    received: list[Any] = []
    try:
        async with asyncio.timeout(30):
            while len(received) < len(records):  # each once: exactly as many
                for found in (await consumer.getmany(timeout_ms=500)).values():
                    received += found
    finally:
        await consumer.stop()
    assert sorted(int(dict(r.headers).get("n", -1)) for r in received) == list(range(-1, 2000))
    for r in received:
        assert r.partition == DefaultPartitioner()(r.key, [0, 1, 2], [0, 1, 2])
    by_partition: dict[int, list[int]] = {}
    for r in received:  # in each partition, in the order given
        by_partition.setdefault(r.partition, []).append(int(dict(r.headers).get("n", 2000)))
    assert all(numbers == sorted(numbers) for numbers in by_partition.values())
