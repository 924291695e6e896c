"""KPI rows: what a KPI accumulates (numerator and denominator of a derived indicator, or the
latest reported value), and how a batch of changes folds into one delta per row. Adding
contributions commutes and the latest report wins whatever the order, so a delta applies the
same to any stored row: the state store adds it once per source offset range."""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from kpi.contributions import Change, Contribution


@dataclass(frozen=True, slots=True)
class Row:
    numerator: float = 0.0
    denominator: float = 0.0
    value: float | None = None  # a reported indicator's latest value
    reported_at: str | None = None  # UTC ISO 8601: compares as text


def kpi_key(change: Change) -> str:
    return f"{change.indicator}|{change.scope}|{change.period}"


def add(row: Row, change: Change | Row) -> Row:
    """The row with a change (or another row's delta) added."""
    if isinstance(change, Contribution | Row):
        row = replace(
            row,
            numerator=row.numerator + change.numerator,
            denominator=row.denominator + change.denominator,
        )
    if isinstance(change, Contribution):
        return row
    if change.reported_at is not None and (
        row.reported_at is None or change.reported_at > row.reported_at
    ):
        row = replace(row, value=change.value, reported_at=change.reported_at)
    return row


def deltas(changes: Iterable[Change]) -> dict[str, Row]:
    """One delta per KPI row for a batch of changes."""
    folded: dict[str, Row] = {}
    for change in changes:
        key = kpi_key(change)
        folded[key] = add(folded.get(key, Row()), change)
    return folded


def kpi_value(row: Row, factor: float = 100.0) -> float | None:
    if row.reported_at is not None:
        return row.value
    return row.numerator / row.denominator * factor if row.denominator else None
