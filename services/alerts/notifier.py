"""Webhook notifications in the Alertmanager v4 shape: grouped by alert kind, each group sent
at most once per group interval, retried with backoff, never blocking evaluation (a queue and
a task of its own). What each receiver was last told is kept in Redis, so a restart sends only
what was not sent before: no duplicate notification."""

import asyncio
import logging
from collections.abc import Callable, Iterable

import httpx
import redis.asyncio as aioredis
from prometheus_client import Counter

from domain.alerts.model import Alert, AlertChange, State
from domain.alerts.notify import webhook_payload
from infra.redis_client import text

log = logging.getLogger(__name__)
SENT = Counter("ioc_alerts_notifications", "Webhook deliveries, by outcome.", ["outcome"])
NOTIFIED_ACTIONS = {"fired", "refired", "resolved"}
ATTEMPTS = 6


def marker(alert: Alert) -> str:
    """What a receiver is told about an alert: firing since …, or resolved."""
    state = "resolved" if alert.state is State.RESOLVED else "firing"
    return f"{state}@{alert.started_at.isoformat()}"


def untold(alert: Alert, said: str | None) -> bool:
    """Receivers have not been told the alert's current state (a resolution is news only to
    those who were told it fired)."""
    return said != marker(alert) and (alert.active or said is not None)


class Notifier:
    def __init__(
        self,
        urls: list[str],
        redis: aioredis.Redis,
        prefix: str,
        external_url: str,
        group_wait: float,
        group_interval: float,
        silenced: Callable[[Alert], bool],
    ) -> None:
        self._urls, self._redis, self._key = urls, redis, f"{prefix}notified"
        self._external_url, self._silenced = external_url, silenced
        self._wait, self._interval = group_wait, group_interval
        self._pending: dict[str, dict[str, Alert]] = {}  # kind → fingerprint → alert
        self._wake = asyncio.Event()
        self._last_sent: dict[str, float] = {}

    def offer(self, changes: Iterable[AlertChange]) -> None:
        for change in changes:
            if self._urls and change.alert is not None and change.action in NOTIFIED_ACTIONS:
                self._pending.setdefault(change.alert.kind, {})[change.alert.fingerprint] = (
                    change.alert
                )
                self._wake.set()

    async def resume(self, alerts: Iterable[Alert]) -> None:
        """After a restart: queue what receivers have not been told yet."""
        if not self._urls:
            return
        told = {text(k): text(v) for k, v in (await self._redis.hgetall(self._key)).items()}
        for alert in alerts:
            if untold(alert, told.get(alert.fingerprint)):
                self._pending.setdefault(alert.kind, {})[alert.fingerprint] = alert
                self._wake.set()

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            while True:
                await self._wake.wait()
                self._wake.clear()
                await asyncio.sleep(self._wait)  # let a group gather
                for kind in list(self._pending):
                    await self._send_group(client, kind)

    async def _send_group(self, client: httpx.AsyncClient, kind: str) -> None:
        loop = asyncio.get_running_loop()
        due = self._last_sent.get(kind, 0.0) + self._interval
        if loop.time() < due:
            loop.call_at(due, self._wake.set)
            return
        alerts = self._pending.pop(kind, {})
        told = await self._redis.hmget(self._key, list(alerts)) if alerts else []
        fresh = [
            a
            for a, t in zip(alerts.values(), told, strict=True)
            if untold(a, None if t is None else text(t)) and not self._silenced(a)
        ]
        if not fresh:
            return
        payload = webhook_payload(fresh, {"kind": kind}, "ioc", self._external_url)
        for url in self._urls:
            await self._deliver(client, url, payload)
        self._last_sent[kind] = loop.time()
        await self._redis.hset(self._key, mapping={a.fingerprint: marker(a) for a in fresh})

    async def _deliver(self, client: httpx.AsyncClient, url: str, payload: object) -> None:
        delay = 0.5
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = await client.post(url, json=payload)
                if response.status_code < 300:
                    SENT.labels("delivered").inc()
                    return
                log.warning(
                    "webhook %s answered %s (attempt %d)", url, response.status_code, attempt
                )
            except httpx.HTTPError as e:
                log.warning("webhook %s failed: %s (attempt %d)", url, e, attempt)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30)
        SENT.labels("failed").inc()
