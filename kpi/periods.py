"""Reporting periods in Vietnam's time (UTC+7): month `2025-03`, quarter `2025-Q1`, year `2025`.
An event belongs to the periods of its own date (event time), however late it arrives."""

from datetime import date, datetime, timedelta
from functools import cache

from contracts.values import VIETNAM as VIETNAM  # re-exported: the zone of every period


def local_date(moment: datetime) -> date:
    """The calendar day in Vietnam (the contracts only admit times with an offset)."""
    return moment.astimezone(VIETNAM).date()


def local_month(moment: datetime) -> str:
    """The month a moment falls in, in Vietnam: `2025-03`."""
    return _month(moment.astimezone(VIETNAM))


def periods_of(day: date) -> tuple[str, str, str]:
    """The month, quarter and year a day belongs to (the year is also the year to date)."""
    return _month(day), f"{day.year}-Q{(day.month - 1) // 3 + 1}", str(day.year)


@cache
def periods_of_month(month: str) -> tuple[str, str, str]:
    """A month key's periods: itself, its quarter and its year."""
    return periods_of(date(int(month[:4]), int(month[5:7]), 1))


def _month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a period key."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    if period[5] == "Q":
        first_month = 3 * (int(period[6]) - 1) + 1
        return date(year, first_month, 1), _month_end(year, first_month + 2)
    month = int(period[5:7])
    return date(year, month, 1), _month_end(year, month)


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)
