"""Vietnam's working-day clock: weekends and public holidays (Tết included, from the maintained
`holidays` package) are not working days. Used for due dates and the 15-day feedback deadline."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start` (start itself not counted)."""
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        left -= is_working_day(day)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; 0 when end is not after start."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
