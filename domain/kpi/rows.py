"""KPI rows: what a KPI accumulates (numerator and denominator of a derived indicator, or the
latest reported value), and how a batch of changes folds into one delta per row, rolled up
from commune to province and agency, from month to quarter and year. Adding commutes and the
latest report wins whatever the order, so a delta applies the same to any stored row: the
state store adds it once per source offset range."""

from collections.abc import Iterable
from typing import NamedTuple, TypeVar

from catalog import Province
from contracts.kpi import kpi_key
from domain.calendar import periods_of_month
from domain.kpi.contributions import Contribution, KpiChange, ReportedValue, scopes

K = TypeVar("K")


class Row(NamedTuple):  # a tuple: one per KPI touched by a batch, so cheap to make
    numerator: float = 0.0
    denominator: float = 0.0
    value: float | None = None  # a reported indicator's latest value
    reported_at: str | None = None  # UTC ISO 8601: compares as text


def add(row: Row, other: Row | ReportedValue) -> Row:
    """The row with another row's delta or a report added."""
    if isinstance(other, Row):
        row = row._replace(
            numerator=row.numerator + other.numerator,
            denominator=row.denominator + other.denominator,
        )
    if other.reported_at is not None and (
        row.reported_at is None or other.reported_at > row.reported_at
    ):
        row = row._replace(value=other.value, reported_at=other.reported_at)
    return row


def deltas(changes: Iterable[KpiChange], province: Province) -> dict[str, Row]:
    """One delta per KPI row (`indicator|scope|period`) for a batch of changes. Leaves are
    summed first, then rolled up: the fan-out is paid per distinct leaf, not per event."""
    leaves: dict[tuple[str, str, str | None, str], list[float]] = {}
    reports: dict[str, Row] = {}
    for change in changes:
        if isinstance(change, Contribution):
            # The leaf: indicator, org unit, agency, month.
            _add_to(leaves, change[:4], change.numerator, change.denominator)
        else:
            key = kpi_key(change.indicator, change.scope, change.period)
            reports[key] = add(reports.get(key, Row()), change)
    # Up the org-unit tree first, then from months to quarters and years: each step adds
    # into fewer sums than the fan-out of every leaf to every row would.
    chains: dict[tuple[str, str | None], list[str]] = {}
    months: dict[tuple[str, str, str], list[float]] = {}  # (indicator, scope, month)
    for (indicator, org_unit, agency, month), (numerator, denominator) in leaves.items():
        chain = chains.get((org_unit, agency))
        if chain is None:
            chain = chains[(org_unit, agency)] = scopes(province, org_unit, agency)
        for scope in chain:
            _add_to(months, (indicator, scope, month), numerator, denominator)
    sums: dict[str, list[float]] = {}
    for (indicator, scope, month), (numerator, denominator) in months.items():
        for period in periods_of_month(month):
            _add_to(sums, kpi_key(indicator, scope, period), numerator, denominator)
    folded = {key: Row(numerator, denominator) for key, (numerator, denominator) in sums.items()}
    for key, report in reports.items():
        folded[key] = add(folded.get(key, Row()), report)
    return folded


def _add_to(sums: dict[K, list[float]], key: K, numerator: float, denominator: float) -> None:
    total = sums.get(key)
    if total is None:
        sums[key] = [numerator, denominator]
    else:
        total[0] += numerator
        total[1] += denominator


def kpi_value(row: Row, factor: float = 100.0) -> float | None:
    if row.reported_at is not None:
        return row.value
    return row.numerator / row.denominator * factor if row.denominator else None
