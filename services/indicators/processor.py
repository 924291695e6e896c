"""One batch of records in, KPI rows updated once each, outputs published. Talks to the state
store and to the outputs through two small protocols, so it is tested without Kafka or Redis."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pydantic import ValidationError

from catalog import Province
from contracts import from_kafka_record
from kpi.contributions import changes_of
from kpi.definitions import DerivedIndicator
from kpi.rows import Row, apply

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Sequence[tuple[str, bytes]]

    @property
    def source(self) -> str:
        return f"{self.topic}/{self.partition}"


@dataclass(frozen=True, slots=True)
class Changed:
    kpi: str  # indicator|scope|period
    source: str  # topic/partition: the partial this row is
    row: Row


class RowStore(Protocol):
    def get(self, key: str) -> Row | None: ...
    def put(self, partition: int, key: str, row: Row) -> None: ...
    async def flush(self) -> None: ...


class Outputs(Protocol):
    async def publish(self, changed: list[Changed]) -> None: ...
    async def dead_letter(self, record: Record, reason: str) -> None: ...


class Processor:
    def __init__(
        self,
        definitions: Sequence[DerivedIndicator],
        province: Province,
        rows: RowStore,
        outputs: Outputs,
    ) -> None:
        self._definitions, self._province = definitions, province
        self._rows, self._outputs = rows, outputs

    async def process(self, records: Sequence[Record]) -> int:
        """Apply the batch; returns how many records went to the dead-letter topic."""
        changed: dict[str, Changed] = {}
        dead = 0
        for record in records:
            try:
                event = from_kafka_record(record.value, record.headers)
            except (ValidationError, ValueError, UnicodeDecodeError) as e:
                dead += 1
                await self._outputs.dead_letter(record, _reason(e))
                continue
            for change in changes_of(event, self._definitions, self._province):
                kpi = f"{change.indicator}|{change.scope}|{change.period}"
                key = f"{record.source}|{kpi}"
                current = self._rows.get(key) or Row()
                updated = apply(current, change, record.offset)
                if updated is not None:
                    self._rows.put(record.partition, key, updated)
                    changed[key] = Changed(kpi, record.source, updated)
                elif key not in changed:
                    # Redelivered: the row has it, but the read model may not (the worker can
                    # die between the changelog and Redis), so the row is published again.
                    changed[key] = Changed(kpi, record.source, current)
        await self._rows.flush()  # durable before the batch is acknowledged
        await self._outputs.publish(list(changed.values()))
        return dead


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"invalid event: {where}: {first['msg']}"[:500]
    return f"unreadable record: {type(error).__name__}: {error}"[:500]
