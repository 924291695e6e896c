"""The judges of flows and milestones: a per-year flow ("mỗi năm ≥ N") by its year's run rate
against that year's value, a yes/no milestone by its reported state and the time left."""

import calendar
from dataclasses import replace
from datetime import date

from catalog.plans import Milestone, Target
from domain.targets.forecast import Projection
from domain.targets.verdicts import (
    Assessment,
    Case,
    Observation,
    TargetStatus,
    by_band,
    meets,
    months_between,
)


def per_year(case: Case) -> Assessment:
    """The year's run rate against its line's value ("mỗi năm"), the year's total so far."""
    return _year_total(
        case.target, case.milestone, case.series, case.year, case.now, case.previous
    ) or (Assessment(TargetStatus.NO_DATA, case.milestone, year=case.year))


def _year_total(
    target: Target,
    milestone: Milestone,
    series: list[Observation],
    year: int,
    now: date,
    previous: TargetStatus | None = None,
) -> Assessment | None:
    this_year = [o for o in series if o.end.year == year]
    so_far = sum(o.value for o in this_year)
    covered = max((_months_into_year(o.end) for o in this_year), default=0.0)
    base = Assessment(
        TargetStatus.AT_RISK,
        milestone,
        series[-1],
        so_far=so_far,
        months_left=months_between(now, date(year, 12, 31)),
        year=year,
    )
    if meets(target, milestone, so_far):
        return replace(base, status=TargetStatus.ACHIEVED)
    if covered >= 12:  # the year is in; whether it is final is milestones.py's
        return replace(base, status=TargetStatus.MISSED)
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
        status=by_band(target, milestone, projection, previous),
    )


def _months_into_year(day: date) -> float:
    return day.month - 1 + day.day / calendar.monthrange(day.year, day.month)[1]


def yes_no(case: Case) -> Assessment:
    """A line not met yet, by the time left (its own stage's evidence is what would meet it:
    milestones.py)."""
    series, milestone, now = case.series, case.milestone, case.now
    latest, months_left = series[-1], months_between(now, milestone.deadline)
    base = Assessment(
        TargetStatus.ON_TRACK, milestone, latest, months_left=months_left, year=milestone.year
    )
    if months_left <= 3:
        return replace(base, status=TargetStatus.OFF_TRACK)
    return replace(
        base, status=TargetStatus.AT_RISK if months_left <= 12 else TargetStatus.ON_TRACK
    )
