"""The worker: one consumer in the `ioc-indicators` group over the three event topics, taking
records in batches. The loop is thin: `Processor` does the work, against the KPI state in
Redis (state.py).

at_least_once: offsets are committed after the records' effect is in the state (exactly once,
by the progress kept per source partition) and their snapshots and dead letters were
acknowledged by the broker; whatever is redelivered after a crash or a rebalance is skipped by
the state and only published again. A plain aiokafka consumer, not faust: faust's per-record
machinery alone ran at 0.16 of a raw consumer here, below the throughput bar
(docs/decisions/0001-indicators-worker-without-faust.md)."""

import asyncio
import contextlib
import logging
import signal
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from prometheus_client import Counter, Gauge, Histogram

from infra.producing import RenewableProducer
from infra.retry import until_done
from services.indicators.processor import BatchOutcome, Processor, Read, Record, TraceContext
from services.indicators.settings import IndicatorsSettings

log = logging.getLogger(__name__)
TRACER = trace.get_tracer("ioc.indicators")
T = TypeVar("T")

EVENTS = Counter(
    "ioc_indicators_events",
    "Records consumed, by outcome (applied, redelivered, dead_letter).",
    ["outcome"],
)
HOLES = Counter(
    "ioc_indicators_offset_holes", "Times records were missing from a partition's sequence."
)
BATCH_SECONDS = Histogram(
    "ioc_indicators_batch_duration_seconds",
    "Time to apply one batch to the KPI state (reading it is done while the previous applies).",
)
SNAPSHOTS = Counter("ioc_indicators_snapshots", "KPI snapshots published.")
LAG = Gauge(
    "ioc_indicators_consumer_lag",
    "Records of each event topic not yet processed, over the partitions this worker owns.",
    ["topic"],
)


READ_SLICE = 500  # records read between two turns of the event loop


@dataclass(frozen=True)
class SnapshotPacing:
    """When the snapshots of the KPIs changed since the last publish go out. Idle: at once.
    Catching up (records waiting), the KPIs' intermediate values are of no use to anyone:
    seldom, as with Kafka Streams' record cache. Live: within the interval."""

    live_seconds: float
    catching_up_seconds: float

    def due(self, fetched: bool, unread: int, since_last: float) -> bool:
        if not fetched and not unread:
            return True
        return since_last >= (self.catching_up_seconds if unread else self.live_seconds)


class Worker:
    """The consuming loop around the processor: it reads batches, has them applied, publishes
    their snapshots at the pace's time and commits what is behind them."""

    def __init__(
        self,
        settings: IndicatorsSettings,
        consumer: AIOKafkaConsumer,
        producer: RenewableProducer,
        processor: Processor,
    ) -> None:
        self._settings, self._consumer, self._producer = settings, consumer, producer
        self._processor = processor
        self._next: dict[TopicPartition, int] = {}  # offset after the last one processed
        self._unpublished = False  # records processed since the last publish
        self._stopping = asyncio.Event()
        self._pacing = SnapshotPacing(
            settings.snapshot_interval_seconds, settings.catch_up_snapshot_interval_seconds
        )

    async def run(self) -> None:
        """Until SIGTERM or SIGINT: then what was processed is published and committed."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stopping.set)
        await _kafka("start the Kafka producer", self._producer.start)
        await _kafka("join the consumer group", self._consumer.start)
        try:
            await self._consume()
        finally:
            await self._consumer.stop()
            await self._producer.stop()

    async def _consume(self) -> None:
        settings = self._settings
        published_at = time.monotonic()
        applying: asyncio.Task[None] | None = None  # the previous batch, in the state
        while not self._stopping.is_set():
            fetched = await self._consumer.getmany(
                timeout_ms=int(settings.batch_seconds * 1000), max_records=settings.batch_size
            )
            if fetched:
                read = await self._read(_records(fetched))
                await self._processor.track(read)
                if applying:
                    await applying
                applying = asyncio.create_task(self._apply(read, fetched))
            if await self._time_to_publish(bool(fetched), time.monotonic() - published_at):
                if applying:
                    await applying
                    applying = None
                if self._unpublished:
                    await self._publish()
                    published_at = time.monotonic()
        if applying:
            await applying
        if self._unpublished:
            await self._publish()

    async def _time_to_publish(self, fetched: bool, since_last: float) -> bool:
        return self._pacing.due(fetched, await self._unread(), since_last)

    async def _read(self, records: Sequence[Record]) -> list[Read]:
        """Reads the batch in slices, yielding between them: meanwhile the previous batch goes
        to Redis and comes back (its client needs the loop a few times to send a command)."""
        read: list[Read] = []
        for start in range(0, len(records), READ_SLICE):
            read += self._processor.read(records[start : start + READ_SLICE])
            await asyncio.sleep(0)
        return read

    async def _apply(
        self, read: Sequence[Read], fetched: dict[TopicPartition, list[ConsumerRecord]]
    ) -> None:
        started = time.time_ns()
        with BATCH_SECONDS.time():
            outcome = await _kafka("apply a batch", lambda: self._processor.apply(read))
        _continue_traces(outcome.traced, started)
        _count(outcome)
        self._next.update((tp, batch[-1].offset + 1) for tp, batch in fetched.items())
        self._unpublished = True
        for topic, records in _behind(self._consumer, self._next).items():
            LAG.labels(topic).set(records)

    async def _publish(self) -> None:
        """Snapshots out, then the offsets of the records behind them committed."""
        SNAPSHOTS.inc(await _kafka("publish KPI snapshots", self._processor.publish))
        self._unpublished = False
        owned = self._consumer.assignment()
        self._next = {tp: offset for tp, offset in self._next.items() if tp in owned}
        try:
            await self._consumer.commit(self._next)
        except (CommitFailedError, IllegalStateError, KafkaError) as e:
            # Rebalanced meanwhile: the new owner reads these again, the state skips them.
            log.warning("offsets not committed (%s): they will be redelivered", e)

    async def _unread(self) -> int:
        """Records on the broker not yet fetched (as of the last fetch), partitions owned."""
        fetched_to: dict[TopicPartition, int] = {}
        for tp in self._consumer.assignment():
            if self._consumer.highwater(tp) is not None:  # else never fetched: no position yet
                with contextlib.suppress(IllegalStateError):  # revoked meanwhile
                    fetched_to[tp] = await self._consumer.position(tp)
        return sum(_behind(self._consumer, fetched_to).values())


def _behind(consumer: AIOKafkaConsumer, positions: Mapping[TopicPartition, int]) -> dict[str, int]:
    """Records after the positions, by topic, over the partitions the consumer owns."""
    behind: dict[str, int] = defaultdict(int)
    for tp in consumer.assignment():
        end = consumer.highwater(tp)
        if end is not None and tp in positions:
            behind[tp.topic] += max(0, end - positions[tp])
    return behind


async def _kafka(what: str, call: Callable[[], Awaitable[T]]) -> T:
    """Kafka unreachable holds the loop here (nothing is committed) until it answers again."""
    return await until_done(what, call, (KafkaError, OSError))


def _records(fetched: dict[TopicPartition, list[ConsumerRecord]]) -> list[Record]:
    return [r for batch in fetched.values() for r in batch]


def _count(outcome: BatchOutcome) -> None:
    EVENTS.labels("applied").inc(outcome.applied)
    EVENTS.labels("redelivered").inc(outcome.redelivered)
    EVENTS.labels("dead_letter").inc(outcome.dead_letters)
    HOLES.inc(len(outcome.holes))


def _continue_traces(traced: Sequence[tuple[Record, TraceContext]], started_ns: int) -> None:
    """One span per traced record, child of the span that produced it (the W3C trace context
    in its Kafka headers): the trace runs from the agency's request to the KPI update."""
    for record, context in traced:
        carrier = {k: v.decode() for k, v in context}
        span = TRACER.start_span(
            "kpi.update",
            context=propagate.extract(carrier),
            kind=SpanKind.CONSUMER,
            start_time=started_ns,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": record.topic,
                "messaging.kafka.destination.partition": record.partition,
                "messaging.kafka.message.offset": record.offset,
            },
        )
        span.end()
