"""Vietnam's calendar, pure: reporting periods in Vietnam's time (UTC+7): month `2025-03`,
quarter `2025-Q1`, year `2025`, an event belonging to the periods of its own date however late
it arrives; and the working-day clock of due dates: weekends and public holidays (Tết
included, from the maintained `holidays` package) are not working days.

Working days are computed by formula, not day by day: weekdays are counted from the calendar's
ordinal, then the holidays that fall on weekdays are taken out, looked up per year. A span of a
century costs the same handful of steps as a week, so no date an agency sends can stall a
consumer."""

from bisect import bisect_right
from datetime import date, datetime, timedelta
from functools import cache, lru_cache

import holidays

from contracts.periods import period_bounds as period_bounds  # re-exported, as the zone
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


# --- working days --------------------------------------------------------------------------
# A working day is a weekday that is no public holiday, or a Saturday worked in exchange for a
# bridged holiday (làm bù: 04/05/2024, 26/04/2025, 22/08/2026), as the state announces them and
# the `holidays` package records them (its `weekend_workdays`).

_FIRST_YEAR, _LAST_YEAR = 1900, 2200  # holidays outside are not known: weekends only


@lru_cache(maxsize=512)
def _calendar(year: int) -> "holidays.HolidayBase | None":
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        return None
    return holidays.country_holidays("VN", years=year)


@lru_cache(maxsize=512)
def _holidays(year: int) -> frozenset[date]:
    found = _calendar(year)
    return frozenset(found) if found is not None else frozenset()


@lru_cache(maxsize=512)
def _weekend_workdays(year: int) -> frozenset[date]:
    found = _calendar(year)
    if found is None:
        return frozenset()
    return frozenset(d for d in found.weekend_workdays if d.year == year)


@lru_cache(maxsize=512)
def _exceptions(year: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The ordinals, sorted, of the year's holidays on weekdays and of its worked Saturdays."""
    off = sorted(d.toordinal() for d in _holidays(year) if d.weekday() < 5)
    worked = sorted(d.toordinal() for d in _weekend_workdays(year))
    return tuple(off), tuple(worked)


def is_working_day(day: date) -> bool:
    if day.weekday() >= 5:
        return day in _weekend_workdays(day.year)
    return day not in _holidays(day.year)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; 0 when end is not after start."""
    if end <= start:
        return 0
    off, worked = _exceptions_in(start, end)
    return _weekdays_through(end) - _weekdays_through(start) - off + worked


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start` (start itself not counted); the calendar's
    last day if that is beyond it."""
    day, missing = start, days
    # Each step adds as many weekdays as were still missing, then counts the working days it
    # really stepped over: holidays leave some missing. A worked Saturday in a short step can
    # take it as far as it went or past (a holiday on which the count was already reached):
    # such a step, never longer than a few weeks, is walked day by day instead.
    while missing > 0:
        ordinal = _nth_weekday_after(day.toordinal(), missing)
        if ordinal > _LAST_ORDINAL:
            return date.max
        following = date.fromordinal(ordinal)
        got = working_days_between(day, following)
        if got > missing or (got == missing and not is_working_day(following)):
            return _walk(day, missing)
        missing, day = missing - got, following
    return day


def _walk(day: date, days: int) -> date:
    while days > 0:
        day += timedelta(days=1)
        days -= is_working_day(day)
    return day


_LAST_ORDINAL = date.max.toordinal()


def _weekdays_through(day: date) -> int:
    """Weekdays from the calendar's first day (1 January of year 1, a Monday) to `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return 5 * weeks + min(rest, 5)


def _nth_weekday_after(ordinal: int, n: int) -> int:
    """The ordinal of the n-th weekday after the day with this ordinal."""
    weeks, rest = divmod(ordinal, 7)
    count = 5 * weeks + min(rest, 5) + n
    weeks, rest = divmod(count, 5)
    return 7 * weeks + rest if rest else 7 * (weeks - 1) + 5


def _exceptions_in(start: date, end: date) -> tuple[int, int]:
    """Holidays on weekdays, and worked Saturdays, after `start` up to and including `end`."""
    first, last = start.toordinal(), end.toordinal()
    off = worked = 0
    for year in range(max(start.year, _FIRST_YEAR), min(end.year, _LAST_YEAR) + 1):
        holidays_off, saturdays = _exceptions(year)
        off += bisect_right(holidays_off, last) - bisect_right(holidays_off, first)
        worked += bisect_right(saturdays, last) - bisect_right(saturdays, first)
    return off, worked
