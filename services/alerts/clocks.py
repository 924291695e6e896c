"""The SLA clocks of the open dossiers and citizen reports, from their events, kept in Redis (a
restart knows every clock without replaying the event topics); what is overdue now becomes one
condition per agency."""

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, replace
from datetime import datetime

import redis.asyncio as aioredis

from catalog import Province
from contracts import from_kafka_record
from domain.alerts.clocks import OpenItem, clock_of, dossier_key
from domain.alerts.model import AlertKind, Condition
from domain.alerts.rules import overdue_conditions
from infra.deadletters import unreadable
from infra.kafka import Consumed
from infra.redis_client import text
from infra.telemetry import trace_parent

CLOCKS = ((AlertKind.DOSSIERS_OVERDUE, "dossier"), (AlertKind.FEEDBACK_OVERDUE, "feedback"))


class SlaClocks:
    def __init__(self, redis: aioredis.Redis, prefix: str, province: Province) -> None:
        self._redis, self._key = redis, f"{prefix}open-items"
        self._open: dict[str, OpenItem] = {}
        self._agency_names = {a.code: (a.name_vi, a.name_en) for a in province.agencies.values()}

    async def load(self) -> None:
        stored = await self._redis.hgetall(self._key)
        renamed: list[tuple[str, str, bytes | str]] = []  # old key, new key, value
        for key, value in stored.items():
            fields = json.loads(value)
            fields["due"] = datetime.fromisoformat(fields["due"])
            item = OpenItem(**fields)
            name = text(key)
            if item.kind == "dossier" and name == f"dossier:{item.id}":  # keyed by id alone
                renamed.append((name, dossier_key(item.agency, item.id), value))
                name = renamed[-1][1]
            self._open[name] = item
        if renamed:  # kept under their agency's key from now on
            pipe = self._redis.pipeline(transaction=True)
            for old, new, value in renamed:
                pipe.hset(self._key, new, value)
                pipe.hdel(self._key, old)
            await pipe.execute()

    async def take(self, records: Iterable[Consumed]) -> list[tuple[Consumed, str]]:
        """The clocks the records open, move or stop; returns the records that could not be
        read, with why (for the dead letters)."""
        changed: dict[str, OpenItem | None] = {}
        failed: list[tuple[Consumed, str]] = []
        for record in records:
            try:
                clock = clock_of(from_kafka_record(record.value or b"", record.headers))
            except Exception as e:  # only that record's: it goes to the dead letters
                failed.append((record, unreadable(e)))
                continue
            if clock is not None:
                key, item = clock
                parent = trace_parent(record.headers)
                changed[key] = replace(item, trace_parent=parent) if item else None
        if changed:
            await self._save(changed)
        return failed

    def conditions(
        self, now: datetime, active: Mapping[AlertKind, Iterable[str]]
    ) -> list[Condition]:
        """One overdue condition per agency with overdue items, and a resolving one for each
        agency in `active` (its alert of that kind is active) that has none left."""
        conditions: list[Condition] = []
        for kind, item_kind in CLOCKS:
            items = (i for i in self._open.values() if i.kind == item_kind)
            conditions += overdue_conditions(
                kind, items, now, self._agency_names, active.get(kind, ())
            )
        return conditions

    async def _save(self, changed: dict[str, OpenItem | None]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for key, item in changed.items():
            if item is None:
                self._open.pop(key, None)
                pipe.hdel(self._key, key)
            else:
                self._open[key] = item
                fields = asdict(item) | {"due": item.due.isoformat()}
                pipe.hset(self._key, key, json.dumps(fields))
        await pipe.execute()
