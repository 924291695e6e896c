"""KPI rows that apply each source position once: a row remembers the last position (offset in
its source partition) applied to it, in the same record as its value, so a record redelivered
after a crash or rebalance finds itself already applied. Rows are partial per source partition;
a KPI is the merge of its partials."""

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

from kpi.contributions import Change, Contribution


@dataclass(frozen=True, slots=True)
class Row:
    numerator: float = 0.0
    denominator: float = 0.0
    value: float | None = None  # a reported indicator's latest value
    reported_at: str | None = None
    position: int = -1

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> "Row":
        return cls(**json.loads(text))


def apply(row: Row, change: Change, position: int) -> Row | None:
    """The row after the change; None when this position was applied before."""
    if position <= row.position:
        return None
    if isinstance(change, Contribution):
        return replace(
            row,
            numerator=row.numerator + change.numerator,
            denominator=row.denominator + change.denominator,
            position=position,
        )
    if row.reported_at is not None and change.reported_at < row.reported_at:
        return replace(row, position=position)  # an older report arriving late: keep the latest
    return replace(row, value=change.value, reported_at=change.reported_at, position=position)


def merge(partials: Iterable[Row]) -> Row:
    total = Row()
    for row in partials:
        total = replace(
            total,
            numerator=total.numerator + row.numerator,
            denominator=total.denominator + row.denominator,
        )
        if row.reported_at is not None and (
            total.reported_at is None or row.reported_at > total.reported_at
        ):
            total = replace(total, value=row.value, reported_at=row.reported_at)
    return total


def kpi_value(row: Row, factor: float = 100.0) -> float | None:
    if row.reported_at is not None:
        return row.value
    return row.numerator / row.denominator * factor if row.denominator else None
