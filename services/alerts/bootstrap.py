"""The alert service composed, in one place: its adapters (Redis, Kafka clients, the KPI API,
webhooks) made from the settings, or handed in by a test; the book replayed from the history
topic; the board, the SLA clocks, the desk and the notifier wired around it; the loops started,
and all of it stopped again."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

import httpx
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer

from catalog import load_province
from catalog.plans import load_plan
from contracts.topics import (
    ALERT_CHANGES,
    DEAD_LETTERS,
    DOSSIER_EVENTS,
    FEEDBACK_EVENTS,
    KPI_SNAPSHOTS,
)
from domain.alerts.book import AlertBook
from domain.alerts.model import Alert
from infra.deadletters import DeadLetters
from infra.kafka import new_consumer, new_producer
from infra.producing import RenewableProducer
from services.alerts import followers
from services.alerts.board import TargetBoard
from services.alerts.clocks import SlaClocks
from services.alerts.desk import AlertDesk
from services.alerts.kpis import KpiBreakdown
from services.alerts.notifier import Notifier
from services.alerts.operators import Operators, Sessions
from services.alerts.settings import AlertsSettings
from services.alerts.store import AlertStore, replay_history


@dataclass
class Adapters:
    """What the service talks to."""

    redis: aioredis.Redis
    producer: RenewableProducer
    history: AIOKafkaConsumer  # the alert history, replayed at start
    snapshots: AIOKafkaConsumer
    events: AIOKafkaConsumer
    indicators: httpx.AsyncClient  # the KPI read API

    @classmethod
    def of(cls, settings: AlertsSettings) -> "Adapters":
        bootstrap, prefix = settings.kafka_bootstrap_servers, settings.topic_prefix
        return cls(
            redis=aioredis.Redis.from_url(settings.redis_url, socket_timeout=20),
            producer=RenewableProducer(partial(new_producer, bootstrap)),
            history=new_consumer(bootstrap, group_id=None),
            snapshots=new_consumer(bootstrap, prefix + KPI_SNAPSHOTS.name, group_id=None),
            events=new_consumer(
                bootstrap,
                prefix + DOSSIER_EVENTS.name,
                prefix + FEEDBACK_EVENTS.name,
                group_id=settings.app_id,
            ),
            indicators=httpx.AsyncClient(base_url=settings.indicators_url, timeout=5),
        )


@dataclass
class AlertService:
    """What the operator API reads and acts on."""

    desk: AlertDesk
    board: TargetBoard
    store: AlertStore
    operators: Operators
    sessions: Sessions
    breakdown: KpiBreakdown
    redis: aioredis.Redis
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)


@asynccontextmanager
async def running(
    settings: AlertsSettings, adapters: Adapters | None = None
) -> AsyncIterator[AlertService]:
    made = adapters or Adapters.of(settings)
    await made.producer.start()
    await made.history.start()
    try:
        topic = settings.topic_prefix + ALERT_CHANGES.name
        book = AlertBook([change async for change in replay_history(made.history, topic)])
    finally:
        await made.history.stop()
    service, notifier, clocks = await _composed(settings, made, book)
    await made.snapshots.start()
    await made.events.start()
    dead_letters = DeadLetters(
        made.producer.send_all, settings.topic_prefix + DEAD_LETTERS.name, settings.app_id
    )
    loops = [
        followers.supervised(
            lambda: followers.follow_snapshots(
                made.snapshots, service.board, service.desk, dead_letters, service.caught_up
            )
        ),
        followers.supervised(lambda: followers.follow_events(made.events, clocks, dead_letters)),
        followers.supervised(
            lambda: followers.sweep(
                service.board, clocks, service.desk, settings.sweep_seconds, service.caught_up
            )
        ),
        followers.supervised(notifier.run),
    ]
    try:
        yield service
    finally:
        await _stopped(loops, made)


async def _composed(
    settings: AlertsSettings, made: Adapters, book: AlertBook
) -> tuple[AlertService, Notifier, SlaClocks]:
    province = load_province(settings.province)
    prefix = settings.redis_prefix
    store = AlertStore(
        made.producer, settings.topic_prefix + ALERT_CHANGES.name, made.redis, prefix
    )

    def silenced(alert: Alert) -> bool:
        return book.silenced(alert, datetime.now(UTC)) is not None

    notifier = Notifier(
        settings.webhook_urls,
        made.redis,
        prefix,
        settings.external_url,
        settings.webhook_group_wait_seconds,
        settings.webhook_group_interval_seconds,
        silenced,
    )
    await notifier.resume(book.alerts.values())
    clocks = SlaClocks(made.redis, prefix, province)
    await clocks.load()
    service = AlertService(
        desk=AlertDesk(book, store, notifier),
        board=TargetBoard(load_plan(settings.plan), province, settings.today),
        store=store,
        operators=Operators.from_file(settings.operators_file),
        sessions=Sessions(made.redis, prefix, settings.session_hours),
        breakdown=KpiBreakdown(made.indicators, province),
        redis=made.redis,
    )
    return service, notifier, clocks


async def _stopped(loops: list["asyncio.Task[None]"], made: Adapters) -> None:
    for task in loops:
        task.cancel()
    for task in loops:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await made.snapshots.stop()
    await made.events.stop()
    await made.producer.stop()
    await made.redis.aclose()
    await made.indicators.aclose()
