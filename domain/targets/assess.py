"""A target's status at an injected "now": achieved, on track, at risk, off track, missed, no data
or stale, with the forecast behind it. Every kind is judged its own way:
- level, cumulative and per-10,000 targets by the projection of their series to the deadline
  (a cumulative count never projects below what is already there; shares stay within 0–100);
- per-year flows by the current year's run rate against that year's target;
- yes/no milestones by their reported state and the time left."""

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise

from catalog.plans import Comparator, Indicator, Milestone, Target, TargetKind
from domain.targets.forecast import Projection, project

MISSED_SHOWN_FOR = timedelta(days=90)  # a missed deadline stays the status while final reports come
REPORT_GRACE = timedelta(days=60)  # a period's report may arrive this long after the period ends
HYSTERESIS = 0.02  # leaving a status takes a crossing by 2% of the target, so it does not flap


class TargetStatus(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    MISSED = "missed"
    NO_DATA = "no_data"
    STALE = "stale"


@dataclass(frozen=True)
class Observation:
    """The indicator's value for a period: a level at `end`, or a per-year target's flow."""

    start: date
    end: date
    value: float


@dataclass(frozen=True)
class Assessment:
    status: TargetStatus
    milestone: Milestone
    latest: Observation | None = None
    projected: float | None = None
    low: float | None = None
    high: float | None = None
    required_pace: float | None = None  # per month, to reach the target by the deadline
    observed_pace: float | None = None  # per month, at the current trend
    so_far: float | None = None  # a per-year flow: this year's total to date
    months_left: float = 0.0


def assess(
    target: Target,
    indicator: Indicator,
    history: Sequence[Observation],
    now: date,
    previous: TargetStatus | None = None,
) -> Assessment:
    milestone = _milestone_in_view(target, now)
    series = sorted((o for o in history if o.end <= now), key=lambda o: o.end)
    if not series:
        return Assessment(
            TargetStatus.NO_DATA, milestone, months_left=_months(now, milestone.deadline)
        )
    judge = {TargetKind.PER_YEAR: _per_year, TargetKind.MILESTONE: _yes_no}.get(
        target.kind, _trajectory
    )
    result = judge(_Case(target, indicator, series, milestone, now, previous))
    latest = series[-1]
    overdue = now > latest.end + (latest.end - latest.start) + REPORT_GRACE
    if overdue and result.status not in (TargetStatus.ACHIEVED, TargetStatus.MISSED):
        # The latest report is what is stale, also when the judge found no figure to go on.
        return replace(result, status=TargetStatus.STALE, latest=result.latest or latest)
    return result


@dataclass(frozen=True)
class _Case:
    """What every judge looks at: the target, its history up to now, the milestone in view."""

    target: Target
    indicator: Indicator
    series: list[Observation]
    milestone: Milestone
    now: date
    previous: TargetStatus | None


def meets(target: Target, milestone: Milestone, value: float) -> bool:
    return _shortfall(target.comparator, milestone, value) <= 0


def _milestone_in_view(target: Target, now: date) -> Milestone:
    """The next open milestone; a missed one stays in view for a while after its deadline."""
    for milestone in target.milestones:
        if milestone.deadline + MISSED_SHOWN_FOR >= now:
            return milestone
    return target.milestones[-1]


def _trajectory(case: "_Case") -> Assessment:
    target, indicator, series, milestone, now = (
        case.target,
        case.indicator,
        case.series,
        case.milestone,
        case.now,
    )
    latest, deadline = series[-1], milestone.deadline
    at_deadline = [o for o in series if o.end <= deadline]
    if now > deadline:  # judged on the last value for a period ending by the deadline
        final = at_deadline[-1] if at_deadline else latest
        met = meets(target, milestone, final.value)
        return Assessment(TargetStatus.ACHIEVED if met else TargetStatus.MISSED, milestone, final)
    months_left = _months(latest.end, deadline)
    step = _step_months(series)
    projection = _bounded(
        target, indicator, latest.value, project([o.value for o in series], months_left / step)
    )
    goal = milestone.value if milestone.value is not None else 0.0
    observed = projection.slope / step if len(series) > 1 else None
    base = Assessment(
        TargetStatus.AT_RISK,
        milestone,
        latest,
        projection.value,
        projection.low,
        projection.high,
        (goal - latest.value) / max(months_left, 1),
        observed,
        months_left=_months(now, deadline),
    )
    if meets(target, milestone, latest.value):
        return replace(base, status=TargetStatus.ACHIEVED)
    return replace(base, status=_by_band(target, milestone, projection, case.previous))


def _per_year(case: "_Case") -> Assessment:
    """Each year of a milestone's period must reach its value: the year just closed shows while
    its verdict is fresh if it fell short, then the current year's run rate is judged."""
    target, series, now = case.target, case.series, case.now
    if now - date(now.year - 1, 12, 31) <= MISSED_SHOWN_FOR:
        closed = _year_total(target, series, now.year - 1, now)
        if closed is not None and closed.status is TargetStatus.MISSED:
            return closed
    return _year_total(target, series, now.year, now, case.previous) or Assessment(
        TargetStatus.NO_DATA, _milestone_for_year(target, now.year)
    )


def _year_total(
    target: Target,
    series: list[Observation],
    year: int,
    now: date,
    previous: TargetStatus | None = None,
) -> Assessment | None:
    milestone = _milestone_for_year(target, year)
    this_year = [o for o in series if o.end.year == year]
    so_far = sum(o.value for o in this_year)
    covered = max((_months_into_year(o.end) for o in this_year), default=0.0)
    base = Assessment(
        TargetStatus.AT_RISK,
        milestone,
        series[-1],
        so_far=so_far,
        months_left=_months(now, date(year, 12, 31)),
    )
    if meets(target, milestone, so_far):
        return replace(base, status=TargetStatus.ACHIEVED)
    if covered >= 12 or now > date(year, 12, 31) + MISSED_SHOWN_FOR:
        return replace(base, status=TargetStatus.MISSED) if covered else None
    if covered == 0:  # nothing reported for this year yet: last year's total is the pace
        last_year = sum(o.value for o in series if o.end.year == year - 1)
        if not last_year:
            return None
        rate, fraction = last_year / 12, 0.0
    else:
        rate, fraction = so_far / covered, covered / 12
    pace = rate * 12
    spread = 1.2816 * max(pace, 1.0) ** 0.5 * (1 - fraction)
    projection = Projection(pace, max(so_far, pace - spread), pace + spread, rate)
    goal = milestone.value if milestone.value is not None else 0.0
    return replace(
        base,
        projected=pace,
        low=projection.low,
        high=projection.high,
        required_pace=(goal - so_far) / max(12 - covered, 1),
        observed_pace=rate,
        status=_by_band(target, milestone, projection, previous),
    )


def _milestone_for_year(target: Target, year: int) -> Milestone:
    """The milestone whose period holds the year: "mỗi năm" up to and including its deadline."""
    return next((m for m in target.milestones if m.deadline.year >= year), target.milestones[-1])


def _months_into_year(day: date) -> float:
    return day.month - 1 + day.day / calendar.monthrange(day.year, day.month)[1]


def _yes_no(case: "_Case") -> Assessment:
    series, milestone, now = case.series, case.milestone, case.now
    latest, months_left = series[-1], _months(now, milestone.deadline)
    base = Assessment(TargetStatus.ON_TRACK, milestone, latest, months_left=months_left)
    if latest.value >= 0.5:
        return replace(base, status=TargetStatus.ACHIEVED)
    if now > milestone.deadline:
        return replace(base, status=TargetStatus.MISSED)
    if months_left <= 3:
        return replace(base, status=TargetStatus.OFF_TRACK)
    return replace(
        base, status=TargetStatus.AT_RISK if months_left <= 12 else TargetStatus.ON_TRACK
    )


def _by_band(
    target: Target, milestone: Milestone, projection: Projection, previous: TargetStatus | None
) -> TargetStatus:
    """On track when the whole band meets the target, off track when none of it does; a status
    is left only when the band crosses its threshold by the hysteresis margin."""
    margin = HYSTERESIS * abs(milestone.upper or milestone.value or 1.0)
    worst = max(
        _shortfall(target.comparator, milestone, v) for v in (projection.low, projection.high)
    )
    best = _best_shortfall(target.comparator, milestone, projection)
    if worst <= (margin if previous is TargetStatus.ON_TRACK else 0.0):
        return TargetStatus.ON_TRACK
    if best > (0.0 if previous is TargetStatus.OFF_TRACK else margin):
        return TargetStatus.OFF_TRACK
    return TargetStatus.AT_RISK


def _shortfall(comparator: Comparator, milestone: Milestone, value: float) -> float:
    """How far a value is from meeting the milestone (0 or less: it meets it)."""
    goal = milestone.value if milestone.value is not None else 1.0
    if comparator is Comparator.AT_LEAST:
        return goal - value
    if comparator is Comparator.AT_MOST:
        return value - goal
    if comparator is Comparator.RANGE:
        return max(goal - value, value - (milestone.upper or goal))
    return abs(value - goal) - 0.005 * abs(goal)


def _best_shortfall(comparator: Comparator, milestone: Milestone, band: Projection) -> float:
    if comparator is Comparator.RANGE and milestone.upper is not None:
        return max(milestone.value or 0.0, band.low) - min(milestone.upper, band.high)
    return min(_shortfall(comparator, milestone, v) for v in (band.low, band.high))


def _bounded(target: Target, indicator: Indicator, last: float, p: Projection) -> Projection:
    low_bound, high_bound = indicator.bounds
    if target.kind is TargetKind.CUMULATIVE:
        low_bound = max(low_bound, last)  # a count of what exists does not shrink

    ceiling = high_bound if high_bound is not None else math.inf

    def clamp(v: float) -> float:
        return min(max(v, low_bound), ceiling)

    return Projection(clamp(p.value), clamp(p.low), clamp(p.high), p.slope)


def _step_months(series: list[Observation]) -> float:
    """Months between consecutive reports (1 monthly, 3 quarterly, 12 yearly)."""
    if len(series) < 2:
        return 1.0
    gaps = sorted(_months(a.end, b.end) for a, b in pairwise(series))
    return max(gaps[len(gaps) // 2], 0.5)


def _months(start: date, end: date) -> float:
    return (end - start).days / 30.4375
