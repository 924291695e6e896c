"""Period keys, as every contract writes them: a year `2025`, a quarter `2025-Q3`, a month
`2025-07`. What a key means (its granularity, its first and last day) is read here only."""

from datetime import date, timedelta
from enum import StrEnum

PERIOD_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$"


class Granularity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def granularity(period: str) -> Granularity:
    if len(period) == 4:
        return Granularity.YEAR
    return Granularity.QUARTER if period[5] == "Q" else Granularity.MONTH


def period_bounds(period: str) -> tuple[date, date]:
    """The first and last day of a period."""
    year = int(period[:4])
    kind = granularity(period)
    if kind is Granularity.YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    first = 3 * int(period[6]) - 2 if kind is Granularity.QUARTER else int(period[5:7])
    last = first + 2 if kind is Granularity.QUARTER else first
    return date(year, first, 1), _month_end(year, last)


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)
