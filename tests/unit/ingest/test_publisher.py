"""The publisher replaces a producer whose sequence numbers the broker no longer accepts (seen
after a broker restart: aiokafka's sender stops for good), so ingest recovers by itself."""

import asyncio
from typing import Any

import pytest
from aiokafka.errors import OutOfOrderSequenceNumber
from prometheus_client import CollectorRegistry, Histogram

from contracts import KafkaRecord
from services.ingest import publisher as module
from services.ingest.publisher import KafkaPublisher, PublishUnavailableError
from tests.infrastructure import eventually

RECORDS = [("ioc.dossier-events.v1", KafkaRecord(b"D-1", b"{}", ()))]


class Batch:
    def append(self, **_: Any) -> object:
        return object()


class FakeProducer:
    """Only what the publisher uses; the first one made has been lost by the broker."""

    def __init__(self, lost: bool) -> None:
        self.lost, self.stopped, self.sent = lost, False, 0

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        self.stopped = True

    async def partitions_for(self, _: str) -> set[int]:
        return {0, 1}

    def create_batch(self) -> Batch:
        return Batch()

    async def send_batch(self, *_: Any, **__: Any) -> "asyncio.Future[None]":
        acknowledged: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.lost:
            acknowledged.set_exception(OutOfOrderSequenceNumber())
        else:
            self.sent += 1
            acknowledged.set_result(None)
        return acknowledged


async def test_a_producer_the_broker_lost_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[FakeProducer] = []

    def new_producer(*_: Any, **__: Any) -> FakeProducer:
        made.append(FakeProducer(lost=not made))
        return made[-1]

    monkeypatch.setattr(module, "new_producer", new_producer)
    seconds = Histogram("ack_seconds", "", registry=CollectorRegistry())
    publisher = KafkaPublisher("127.0.0.1:9", 1.0, seconds)
    settled: list[bool] = []

    async def on_settled(acknowledged: bool) -> None:
        settled.append(acknowledged)

    async def ready() -> bool:
        return publisher.ready

    publisher.start()
    await eventually(ready, within=5)
    with pytest.raises(PublishUnavailableError, match="OutOfOrderSequenceNumber") as refused:
        await publisher.publish(RECORDS, [], on_settled)
    assert refused.value.settling is False  # not written: the claims are released, no duplicate
    await eventually(ready, within=5)
    await publisher.publish(RECORDS, [], on_settled)
    assert [p.sent for p in made] == [0, 1]
    await publisher.stop()
    assert made[0].stopped
