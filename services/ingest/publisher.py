"""Produces records to Kafka and reports back only what the broker acknowledged.

Requests are committed in groups: while one group's batches are in flight, the records of the
requests that arrive meanwhile wait, and go out together as the next group, one batch per
partition. aiokafka keeps one produce request in flight per broker and one batch queued per
partition, so a batch per request would cap throughput at one request's records per round trip
(and, under load, time out waiting for a queue slot while the broker is fine).

Every wait is bounded: when the broker does not acknowledge in time the caller answers 503 at
once, while the batches already handed to the producer settle in the background (they may still
land; the caller's `on_settled` records which way it went). The broker answers for each batch,
so it may take some of a request's records and refuse others (a partition whose leader is gone):
the caller learns which."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from functools import partial
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from prometheus_client import Histogram

from contracts import KafkaRecord
from infra.kafka import PRODUCER_LOST, broker_answers, new_producer
from infra.producing import RenewableProducer, send_batches

log = logging.getLogger(__name__)

Settled = Callable[[Sequence[bool]], Awaitable[None]]  # which records the broker acknowledged
Outgoing = tuple[str, KafkaRecord]  # canonical topic name, record
Headers = list[tuple[str, bytes]]
Failures = list[BaseException | None]  # for each record, None if acknowledged
# A request's records and trace headers, waiting to be committed with the next group.
Waiting = tuple[Sequence[Outgoing], Headers, "asyncio.Future[Failures]"]


class PublishUnavailableError(Exception):
    """Not every record was acknowledged in time. `settling`: they may still land (the caller
    hears how through its `on_settled`). Otherwise `landed` says which were acknowledged."""

    def __init__(
        self, reason: str, *, settling: bool, landed: Sequence[bool] | None = None
    ) -> None:
        super().__init__(reason)
        self.settling, self.landed = settling, landed


def publisher_producer(bootstrap_servers: str, ack_timeout_seconds: float) -> RenewableProducer:
    """The producer ingest publishes with: its requests time out with the service's answer,
    and each group's records are batched already, so they go at once."""
    return RenewableProducer(
        partial(
            new_producer,
            bootstrap_servers,
            request_timeout_ms=int(ack_timeout_seconds * 1000),
            linger_ms=0,
        )
    )


class KafkaPublisher:
    def __init__(
        self,
        producer: RenewableProducer,
        ack_timeout_seconds: float,
        ack_seconds: Histogram,
        topic_prefix: str = "",
    ) -> None:
        self._producer, self._prefix = producer, topic_prefix
        self._timeout = ack_timeout_seconds
        self._ack_seconds = ack_seconds
        self._background: set[asyncio.Task[None]] = set()
        self._connector: asyncio.Task[None] | None = None
        self._next_group: list[Waiting] = []
        self._committer: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        return self._producer.current is not None

    async def reachable(self) -> bool:
        """Connected, and the broker answers now."""
        producer = self._producer.current
        return producer is not None and await broker_answers(producer)

    def start(self) -> None:
        """Connect in the background, retrying: the service starts and answers 503 until then."""
        self._connector = asyncio.create_task(self._connect(), name="kafka-connect")

    async def _connect(self, lost: AIOKafkaProducer | None = None) -> None:
        """A producer started (the lost one renewed), retrying until the broker answers."""
        delay = 0.5
        while True:
            try:
                await (self._producer.renew(lost) if lost else self._producer.start())
            except KafkaError as e:
                lost = None  # renewing stopped it: from now on a plain start
                log.warning("Kafka unreachable (%s); retry in %.1fs", e, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
                continue
            log.info("connected to Kafka")
            return

    async def stop(self) -> None:
        if self._connector:
            self._connector.cancel()
        if self._committer:  # the group in flight settles before the producer stops
            await asyncio.wait({self._committer}, timeout=self._timeout)
        if self._background:
            await asyncio.wait(self._background, timeout=self._timeout)
        await self._producer.stop()

    async def publish(
        self, records: Sequence[Outgoing], headers: Headers, on_settled: Settled
    ) -> None:
        """Return once Kafka acknowledged every record; raise PublishUnavailableError otherwise."""
        if self._producer.current is None:
            raise PublishUnavailableError("not connected to Kafka yet", settling=False)
        answered: asyncio.Future[Failures] = asyncio.get_running_loop().create_future()
        self._next_group.append((records, headers, answered))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_groups(), name="kafka-commit")
        with self._ack_seconds.time():
            done, _ = await asyncio.wait({answered}, timeout=self._timeout)
        if not done:
            self._settle_later(answered, on_settled)
            raise PublishUnavailableError("Kafka did not acknowledge in time", settling=True)
        failures = answered.result()
        if error := next((f for f in failures if f is not None), None):
            landed = [f is None for f in failures]
            raise PublishUnavailableError(
                f"Kafka refused {landed.count(False)} of {len(landed)} records: {error!r}",
                settling=False,
                landed=landed,
            )

    async def _commit_groups(self) -> None:
        while self._next_group:
            group, self._next_group = self._next_group, []
            failures, start = await self._commit(group), 0
            for records, _, answered in group:
                answered.set_result(failures[start : start + len(records)])
                start += len(records)

    async def _commit(self, group: Sequence[Waiting]) -> Failures:
        """Sends a group's records, in request order (records with the same key keep their
        order); for each, None once acknowledged, else why not."""
        producer, count = self._producer.current, sum(len(records) for records, _, _ in group)
        if producer is None:
            return [PublishUnavailableError("not connected to Kafka", settling=False)] * count
        outgoing = (
            (self._prefix + topic, record.key, record.value, [*record.headers, *headers])
            for records, headers, _ in group
            for topic, record in records
        )
        try:
            failures = await send_batches(producer, outgoing)
        except Exception as error:  # nothing was sent
            return [error] * count
        if any(isinstance(f, PRODUCER_LOST) for f in failures):
            # Renewed in the background; meanwhile (no producer) requests are answered 503.
            self._in_background(self._connect(lost=producer))
        return failures

    def _settle_later(self, answered: asyncio.Future[Failures], on_settled: Settled) -> None:
        async def settle() -> None:
            await on_settled([failure is None for failure in await answered])

        self._in_background(settle())

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
