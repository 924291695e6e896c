"""Produces events to Kafka and reports back only what the broker acknowledged.

Every wait is bounded: when the broker does not acknowledge in time the caller answers 503
at once, while the sends already handed to the producer settle in the background (they may
still land; the caller's `on_settled` records which way it went)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from prometheus_client import Histogram

from contracts import CloudEvent, to_kafka_record
from ioc.kafka import new_producer

log = logging.getLogger(__name__)

Settled = Callable[[bool], Awaitable[None]]


class PublishUnavailableError(Exception):
    """Nothing was acknowledged in time; `settling` says whether sends may still land."""

    def __init__(self, reason: str, *, settling: bool) -> None:
        super().__init__(reason)
        self.settling = settling


class KafkaPublisher:
    def __init__(
        self,
        bootstrap_servers: str,
        ack_timeout_seconds: float,
        ack_seconds: Histogram,
        topic_prefix: str = "",
    ) -> None:
        self._bootstrap, self._prefix = bootstrap_servers, topic_prefix
        self._timeout = ack_timeout_seconds
        self._ack_seconds = ack_seconds
        self._producer: AIOKafkaProducer | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._connector: asyncio.Task[None] | None = None

    @property
    def ready(self) -> bool:
        return self._producer is not None

    def start(self) -> None:
        """Connect in the background, retrying: the service starts and answers 503 until then."""
        self._connector = asyncio.create_task(self._connect(), name="kafka-connect")

    async def _connect(self) -> None:
        delay = 0.5
        while True:
            producer = new_producer(self._bootstrap, request_timeout_ms=int(self._timeout * 1000))
            try:
                await producer.start()
            except KafkaError as e:
                await producer.stop()
                log.warning(
                    "Kafka not reachable at %s (%s); retrying in %.1fs", self._bootstrap, e, delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
                continue
            self._producer = producer
            log.info("connected to Kafka at %s", self._bootstrap)
            return

    async def stop(self) -> None:
        if self._connector:
            self._connector.cancel()
        if self._background:
            await asyncio.wait(self._background, timeout=self._timeout)
        if self._producer:
            await self._producer.stop()

    async def publish(
        self, events: Sequence[CloudEvent], headers: list[tuple[str, bytes]], on_settled: Settled
    ) -> None:
        """Return once Kafka acknowledged every event; raise PublishUnavailableError otherwise."""
        if self._producer is None:
            raise PublishUnavailableError("not connected to Kafka yet", settling=False)
        sending = asyncio.create_task(self._send_all(events, headers))
        with self._ack_seconds.time():
            done, _ = await asyncio.wait({sending}, timeout=self._timeout)
        if not done:
            self._settle_later(sending, on_settled)
            raise PublishUnavailableError("Kafka did not acknowledge in time", settling=True)
        if error := sending.exception():
            raise PublishUnavailableError(f"Kafka refused the events: {error!r}", settling=False)

    async def _send_all(
        self, events: Sequence[CloudEvent], headers: list[tuple[str, bytes]]
    ) -> None:
        assert self._producer is not None  # checked by publish() before the task starts
        # Sent one after another so records with the same key keep their order; the broker
        # acknowledges them in batches.
        acks = []
        for event in events:
            record = to_kafka_record(event)
            acks.append(
                await self._producer.send(
                    self._prefix + event.topic.name,
                    record.value,
                    key=record.key,
                    headers=[*record.headers, *headers],
                )
            )
        await asyncio.gather(*acks)

    def _settle_later(self, sending: asyncio.Task[None], on_settled: Settled) -> None:
        async def settle() -> None:
            try:
                await sending
            except Exception:  # any failure means "not acknowledged": free the claims
                await on_settled(False)
            else:
                await on_settled(True)

        task = asyncio.create_task(settle())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
