"""The alert service's loops: one follows the KPI snapshots into the board (re-assessing the
targets they touch), one follows the dossier and feedback events into the SLA clocks, one
sweeps everything as the days pass. Their conditions go to the desk; a record either follower
cannot read goes to the dead-letter topic, and the rest of its batch is taken."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts.kpi import KpiSnapshot
from infra.deadletters import DeadLetters, unreadable
from infra.kafka import Consumed
from infra.telemetry import trace_parent
from services.alerts.board import TargetBoard
from services.alerts.clocks import SlaClocks
from services.alerts.desk import AlertDesk

log = logging.getLogger(__name__)


async def follow_snapshots(
    consumer: AIOKafkaConsumer,
    board: TargetBoard,
    desk: AlertDesk,
    dead_letters: DeadLetters,
    caught_up: asyncio.Event,
) -> None:
    """From the start of the compacted topic (the series), then live. Caught up once the
    topic's end as it was at start is reached: under a steady load it never runs dry."""
    history_end: dict[TopicPartition, int] = {}
    while True:
        batch = await consumer.getmany(timeout_ms=200, max_records=5000)
        touched = board.take(await _readable(batch.values(), dead_letters))
        if not caught_up.is_set():
            history_end = history_end or await consumer.end_offsets(consumer.assignment())
            if history_end and await _reached(consumer, history_end):
                await desk.observe(board.assess())
                caught_up.set()
            continue
        if touched:
            await desk.observe(board.assess(touched))


async def follow_events(
    consumer: AIOKafkaConsumer, clocks: SlaClocks, dead_letters: DeadLetters
) -> None:
    while True:
        batch = await consumer.getmany(timeout_ms=500, max_records=5000)
        if batch:
            failed = await clocks.take(r for records in batch.values() for r in records)
            await dead_letters.send(failed)
            await consumer.commit()


async def sweep(
    board: TargetBoard, clocks: SlaClocks, desk: AlertDesk, every: float, caught_up: asyncio.Event
) -> None:
    await caught_up.wait()
    while True:
        started = time.monotonic()
        await desk.observe(board.assess())
        now = datetime.now(UTC)
        await desk.observe(clocks.conditions(now, desk.active_agencies()), now)
        await asyncio.sleep(max(0.0, every - (time.monotonic() - started)))


def supervised(work: Callable[[], Awaitable[None]]) -> "asyncio.Task[None]":
    """A loop that logs what breaks it and starts again (Kafka and Redis come back by
    themselves; the loops hold no state the board, clocks and desk do not)."""

    async def forever() -> None:
        while True:
            try:
                await work()
            except Exception:
                log.exception("a loop of the alert service failed; restarting it")
                await asyncio.sleep(1)

    return asyncio.create_task(forever())


async def _readable(
    batches: Iterable[Sequence[Consumed]], dead_letters: DeadLetters
) -> list[tuple[KpiSnapshot, str | None]]:
    """The batch's snapshots; one that is not a valid snapshot goes to the dead letters."""
    snapshots, failed = [], []
    for records in batches:
        for record in records:
            if record.value is None:
                continue  # a tombstone: nothing to take
            try:
                snapshot = KpiSnapshot.model_validate_json(record.value)
            except ValueError as e:
                failed.append((record, unreadable(e)))
                continue
            snapshots.append((snapshot, trace_parent(record.headers)))
    await dead_letters.send(failed)
    return snapshots


async def _reached(consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> bool:
    for partition, offset in offsets.items():
        if await consumer.position(partition) < offset:
            return False
    return True
