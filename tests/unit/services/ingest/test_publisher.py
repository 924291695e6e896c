"""The publisher replaces a producer whose sequence numbers the broker no longer accepts (seen
after a broker restart: aiokafka's sender stops for good), so ingest recovers by itself."""

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, cast

import pytest
from prometheus_client import CollectorRegistry, Histogram

from contracts import KafkaRecord
from infra.producing import RenewableProducer, caching_partitioner
from services.ingest.publisher import KafkaPublisher, PublishUnavailableError
from tests.infrastructure import eventually
from tests.kafka_doubles import Producer, first_one_lost, healthy

RECORDS = [("ioc.dossier-events.v1", KafkaRecord(b"D-1", b"{}", ()))]


async def connected(new_producer: Callable[..., Producer]) -> KafkaPublisher:
    """A publisher whose producers `new_producer` makes, once it has one."""
    producer = RenewableProducer(cast(Any, new_producer))
    publisher = KafkaPublisher(producer, 1.0, Histogram("s", "", registry=CollectorRegistry()))
    publisher.start()
    await eventually(lambda: _true(publisher.connected), within=5)
    return publisher


async def _true(value: bool) -> bool:
    return value


async def ignored(landed: Sequence[bool]) -> None:
    pass


async def test_a_producer_the_broker_lost_is_replaced() -> None:
    made: list[Producer] = []
    publisher = await connected(first_one_lost(made))
    with pytest.raises(PublishUnavailableError, match="OutOfOrderSequenceNumber") as refused:
        await publisher.publish(RECORDS, [], ignored)
    assert refused.value.settling is False  # not written: the claims are released, no duplicate
    await eventually(lambda: _true(publisher.connected), within=5)
    await publisher.publish(RECORDS, [], ignored)
    assert [p.sent for p in made] == [0, 1]
    await publisher.stop()
    assert made[0].stopped


async def test_concurrent_requests_are_committed_together() -> None:
    # aiokafka keeps one batch queued per partition: a batch per request would make requests
    # wait for each other's round trips. Requests arriving together share one group.
    made: list[Producer] = []
    publisher = await connected(healthy(made))
    requests = [
        [("ioc.dossier-events.v1", KafkaRecord(f"D-{r}-{i}".encode(), b"{}", ())) for i in range(5)]
        for r in range(10)
    ]
    await asyncio.gather(*(publisher.publish(records, [], ignored) for records in requests))
    assert made[0].sent <= 2  # one batch for each of the two partitions, not one per request
    await publisher.stop()


async def test_a_partition_refused_fails_only_its_records() -> None:
    # A leader gone for partition 1: the broker takes the records for partition 0.
    publisher = await connected(healthy([], refused_partitions=frozenset({1})))
    keys = [f"D-{i}".encode() for i in range(20)]
    records = [("ioc.dossier-events.v1", KafkaRecord(k, b"{}", ())) for k in keys]
    with pytest.raises(PublishUnavailableError) as refused:
        await publisher.publish(records, [], ignored)
    assert refused.value.settling is False
    assert refused.value.landed == [caching_partitioner(k, [0, 1], [0, 1]) == 0 for k in keys]
    assert 0 < sum(refused.value.landed) < len(keys)
    await publisher.stop()
