"""The faust worker: one agent over the three event topics, taking records in batches. The
agent is thin: `Processor` does the work, against the KPI state in Redis (state.py).

at_least_once processing: faust acknowledges a batch after the agent returns from it, by which
time its effect is in the state (exactly once, by the progress kept per source partition) and
its snapshots and dead letters were acknowledged by the broker. No faust tables: their
recovery races the stream after a restart and skips records (faust-streaming issue 596)."""

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence, Set
from typing import Any

import faust
import redis.asyncio as aioredis
from faust.types import TP, ConsumerT, ProducerT
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from prometheus_client import Counter, Gauge, Histogram

from catalog import load_province
from contracts.topics import DEAD_LETTERS, EVENT_TOPICS, KPI_SNAPSHOTS
from ioc.kafka import security_options
from kpi.definitions import load_definitions
from services.indicators.outputs import KafkaOutputs, OutgoingRecord
from services.indicators.processor import TRACE_HEADERS, Processor, Record
from services.indicators.settings import IndicatorsSettings
from services.indicators.state import RedisKpiState

log = logging.getLogger(__name__)
TRACER = trace.get_tracer("ioc.indicators")

EVENTS = Counter(
    "ioc_indicators_events",
    "Records consumed, by outcome (applied, redelivered, dead_letter).",
    ["outcome"],
)
HOLES = Counter(
    "ioc_indicators_offset_holes", "Times records were missing from a partition's sequence."
)
BATCH_SECONDS = Histogram(
    "ioc_indicators_batch_duration_seconds", "Time to apply one batch and publish its changes."
)
LAG = Gauge(
    "ioc_indicators_consumer_lag",
    "Records of each event topic not yet processed, over the partitions this worker owns.",
    ["topic"],
)


def create_worker(settings: IndicatorsSettings) -> faust.App:
    prefix = settings.topic_prefix
    app = faust.App(
        settings.app_id,
        broker=";".join(f"kafka://{s}" for s in settings.kafka_bootstrap_servers.split(",")),
        processing_guarantee="at_least_once",
        topic_partitions=EVENT_TOPICS[0].partitions,
        topic_replication_factor=settings.topic_replication_factor,
        consumer_auto_offset_reset="earliest",  # a new worker counts history from the start
        web_enabled=False,
        datadir=str(settings.data_dir),
        stream_buffer_maxsize=max(4096, settings.batch_size * 2),
        broker_session_timeout=settings.session_timeout_seconds,
        broker_rebalance_timeout=settings.session_timeout_seconds * 2,
        broker_credentials=_credentials(),
    )
    events = app.topic(
        *(prefix + t.name for t in EVENT_TOPICS), key_serializer="raw", value_serializer="raw"
    )
    definitions = load_definitions()
    factors = {d.code: d.factor for d in definitions}
    redis = aioredis.Redis.from_url(settings.redis_url, socket_timeout=5)

    async def send(records: Sequence[OutgoingRecord]) -> None:
        await send_all(app.producer, records)

    province = load_province(settings.province)
    outputs = KafkaOutputs(
        send,
        prefix + KPI_SNAPSHOTS.name,
        prefix + DEAD_LETTERS.name,
        settings.app_id,
        f"org:{province.root.code}",
        factors,
    )
    state = RedisKpiState(redis, settings.redis_prefix)
    processor = Processor(definitions, province, state, outputs)

    next_offsets: dict[TP, int] = {}

    @app.agent(events)
    async def update_kpis(stream: faust.types.StreamT[bytes]) -> None:
        assert isinstance(stream, faust.Stream)  # take_events is on the class, not the protocol
        async for batch in stream.take_events(settings.batch_size, within=settings.batch_seconds):
            # A batch may have been buffered across a rebalance: only records of partitions
            # still ours are applied (the others are redelivered to their new owner).
            owned = app.consumer.assignment()
            records = [_record(e) for e in batch if e.message.tp in owned]
            next_offsets.update((e.message.tp, e.message.offset + 1) for e in batch)
            started = time.time_ns()
            with BATCH_SECONDS.time():
                outcome = await processor.process(records)
            _continue_traces(records, started)
            EVENTS.labels("applied").inc(outcome.applied)
            EVENTS.labels("redelivered").inc(outcome.redelivered)
            EVENTS.labels("dead_letter").inc(outcome.dead_letters)
            HOLES.inc(len(outcome.holes))
            _report_lag(app.consumer, owned, next_offsets)

    return app


def _report_lag(consumer: ConsumerT, owned: Set[TP], next_offsets: Mapping[TP, int]) -> None:
    behind: dict[str, int] = defaultdict(int)
    for tp in owned:
        end = consumer.highwater(tp)
        if end is not None and tp in next_offsets:
            behind[tp.topic] += max(0, end - next_offsets[tp])
    for topic, records in behind.items():
        LAG.labels(topic).set(records)


def _credentials() -> faust.SASLCredentials | faust.SSLCredentials | None:
    """The same broker security as every other IOC client (`ioc.kafka.security_options`)."""
    options = security_options()
    if options["security_protocol"].startswith("SASL"):
        return faust.SASLCredentials(
            username=options["sasl_plain_username"],
            password=options["sasl_plain_password"],
            mechanism=options["sasl_mechanism"],
            ssl_context=options.get("ssl_context"),
        )
    if options["security_protocol"] == "SSL":
        return faust.SSLCredentials(options["ssl_context"])
    return None


async def send_all(producer: ProducerT, records: Sequence[OutgoingRecord]) -> None:
    """Send the records and return once the broker acknowledged each of them (faust's own
    send_soon and flush may return with records still buffered)."""
    pending = [
        await producer.send(topic, key, value, None, None, list(headers) or None)
        for topic, key, value, headers in records
    ]
    await asyncio.gather(*pending)


def _continue_traces(records: Sequence[Record], started_ns: int) -> None:
    """One span per traced record, child of the span that produced it (the W3C trace context
    in its Kafka headers): the trace runs from the agency's request to the KPI update."""
    for record in records:
        carrier = {k: v.decode() for k, v in record.headers if k in TRACE_HEADERS}
        if "traceparent" not in carrier:
            continue
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


def _record(event: faust.EventT[Any]) -> Record:
    message = event.message
    headers = message.headers or []
    pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    return Record(
        message.topic,
        message.partition,
        message.offset,
        message.key,
        message.value or b"",  # a tombstone is unreadable: it goes to the dead letters
        [(str(k), v if isinstance(v, bytes) else str(v).encode()) for k, v in pairs],
    )
