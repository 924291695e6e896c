"""A stand-in for aiokafka's producer, for unit tests of what happens when the broker has lost
track of a producer: it answers every send with `OutOfOrderSequenceNumber`, as a real one does
after some broker restarts. Only the methods IOC's producers use."""

import asyncio
from collections.abc import Callable
from typing import Any

from aiokafka.errors import NotLeaderForPartitionError, OutOfOrderSequenceNumber


class Batch:
    def append(self, **_: Any) -> object:
        return object()


class Producer:
    def __init__(self, lost: bool, refused_partitions: frozenset[int] = frozenset()) -> None:
        self.lost, self.stopped, self.sent = lost, False, 0
        self.refused_partitions = refused_partitions  # their leader is gone: NotLeader

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        self.stopped = True

    async def partitions_for(self, _: str) -> set[int]:
        return {0, 1}

    def create_batch(self) -> Batch:
        return Batch()

    async def send(self, *_: Any, partition: int = 0, **__: Any) -> "asyncio.Future[None]":
        acknowledged: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.lost:
            acknowledged.set_exception(OutOfOrderSequenceNumber())
        elif partition in self.refused_partitions:
            acknowledged.set_exception(NotLeaderForPartitionError())
        else:
            self.sent += 1
            acknowledged.set_result(None)
        return acknowledged

    send_batch = send


def first_one_lost(made: list[Producer]) -> Callable[..., Producer]:
    """A `new_producer` whose first producer the broker has lost; each one made is in `made`."""

    def new_producer(*_: Any, **__: Any) -> Producer:
        made.append(Producer(lost=not made))
        return made[-1]

    return new_producer


def healthy(
    made: list[Producer], refused_partitions: frozenset[int] = frozenset()
) -> Callable[..., Producer]:
    """A `new_producer` whose producers work (but for partitions whose leader is gone); each
    one made is in `made`."""

    def new_producer(*_: Any, **__: Any) -> Producer:
        made.append(Producer(lost=False, refused_partitions=refused_partitions))
        return made[-1]

    return new_producer
