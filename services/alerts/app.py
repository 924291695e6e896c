"""Composition root of the alert service: replay the history into the book, rebuild the read
model, then follow the snapshots and events, sweep, notify, and serve the operator API."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import redis.asyncio as aioredis
from fastapi import FastAPI

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
from infra.deadletters import DeadLetters
from infra.kafka import new_consumer
from infra.problems import install_problem_handlers
from infra.telemetry import configure_tracing
from services.alerts import console
from services.alerts.api import router
from services.alerts.console import breakdown_router
from services.alerts.desk import AlertDesk
from services.alerts.evaluator import Evaluator
from services.alerts.notifier import Notifier
from services.alerts.openapi import TITLE, VERSION, document
from services.alerts.operators import Operators, Sessions
from services.alerts.origin import ConsoleOrigin
from services.alerts.settings import AlertsSettings
from services.alerts.store import AlertStore, replay_history

log = logging.getLogger(__name__)


def supervised(work: Callable[[], Awaitable[None]]) -> "asyncio.Task[None]":
    """A loop of the service that logs what breaks it and starts again (Kafka and Redis come
    back by themselves; the loops hold no state the desk does not)."""

    async def forever() -> None:
        while True:
            try:
                await work()
            except Exception:
                log.exception("a loop of the alert service failed; restarting it")
                await asyncio.sleep(1)

    return asyncio.create_task(forever())


def create_app(settings: AlertsSettings) -> FastAPI:
    configure_tracing("ioc-alerts")
    prefix = settings.topic_prefix
    bootstrap = settings.kafka_bootstrap_servers

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = aioredis.Redis.from_url(settings.redis_url, socket_timeout=20)
        book = AlertBook([c async for c in replay_history(bootstrap, prefix + ALERT_CHANGES.name)])
        store = AlertStore(bootstrap, prefix + ALERT_CHANGES.name, redis, settings.redis_prefix)
        await store.start()
        await store.rebuild(list(book.alerts.values()), list(book.silences.values()))
        notifier = Notifier(
            settings.webhook_urls,
            redis,
            settings.redis_prefix,
            settings.external_url,
            settings.webhook_group_wait_seconds,
            settings.webhook_group_interval_seconds,
            lambda alert: desk.silenced(alert),
        )
        desk = AlertDesk(book, store, notifier)
        evaluator = Evaluator(
            load_plan(settings.plan),
            load_province(settings.province),
            desk,
            redis,
            settings.redis_prefix,
            DeadLetters(store.send, prefix + DEAD_LETTERS.name, settings.app_id),
            settings.today,
        )
        await evaluator.load_open_items()
        await notifier.resume(book.alerts.values())
        snapshots = new_consumer(bootstrap, prefix + KPI_SNAPSHOTS.name, group_id=None)
        events = new_consumer(
            bootstrap,
            prefix + DOSSIER_EVENTS.name,
            prefix + FEEDBACK_EVENTS.name,
            group_id=settings.app_id,
        )
        await snapshots.start()
        await events.start()
        caught_up = asyncio.Event()
        app.state.operators = Operators.from_file(settings.operators_file)
        app.state.sessions = Sessions(redis, settings.redis_prefix, settings.session_hours)
        app.state.desk, app.state.store, app.state.evaluator = desk, store, evaluator
        app.state.redis = redis
        app.state.caught_up = caught_up
        app.state.indicators = httpx.AsyncClient(base_url=settings.indicators_url, timeout=5)
        tasks = [
            supervised(lambda: evaluator.follow_snapshots(snapshots, caught_up)),
            supervised(lambda: evaluator.follow_events(events)),
            supervised(lambda: evaluator.sweep(settings.sweep_seconds, caught_up)),
            supervised(notifier.run),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await snapshots.stop()
            await events.stop()
            await store.stop()
            await redis.aclose()
            await app.state.indicators.aclose()

    app = FastAPI(title=TITLE, version=VERSION, lifespan=lifespan, docs_url=None, redoc_url=None)
    install_problem_handlers(app)
    app.include_router(router)
    app.include_router(breakdown_router)
    app.include_router(console.router)
    app.mount("/static", console.static, name="static")
    app.add_middleware(ConsoleOrigin, external_urls=[settings.external_url])
    described = document()
    app.openapi = lambda: described  # type: ignore[method-assign]
    return app
