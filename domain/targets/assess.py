"""A target's status at an injected "now": achieved, on track, at risk, off track, missed, no data
or stale, with the forecast behind it. Every kind is judged its own way:
- level, cumulative and per-10,000 targets by the projection of their series to the deadline
  (a cumulative count never projects below what is already there; shares stay within 0–100);
- per-year flows by the current year's run rate against that year's target (flows.py);
- yes/no milestones by their reported state and the time left (flows.py).
What a verdict is made of, and the rules every judge shares, are verdicts.py's."""

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from itertools import pairwise

from catalog.plans import Indicator, Milestone, Target, TargetKind
from domain.targets.flows import per_year, yes_no
from domain.targets.forecast import Projection, project
from domain.targets.verdicts import (
    MISSED_SHOWN_FOR,
    REPORT_GRACE,
    Assessment,
    Case,
    Observation,
    TargetStatus,
    by_band,
    meets,
    months_between,
)


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
            TargetStatus.NO_DATA, milestone, months_left=months_between(now, milestone.deadline)
        )
    judge = {TargetKind.PER_YEAR: per_year, TargetKind.MILESTONE: yes_no}.get(
        target.kind, _trajectory
    )
    result = judge(Case(target, indicator, series, milestone, now, previous))
    latest = series[-1]
    overdue = now > latest.end + (latest.end - latest.start) + REPORT_GRACE
    if overdue and result.status not in (TargetStatus.ACHIEVED, TargetStatus.MISSED):
        # The latest report is what is stale, also when the judge found no figure to go on.
        return replace(result, status=TargetStatus.STALE, latest=result.latest or latest)
    return result


def _milestone_in_view(target: Target, now: date) -> Milestone:
    """The next open milestone; a missed one stays in view for a while after its deadline."""
    for milestone in target.milestones:
        if milestone.deadline + MISSED_SHOWN_FOR >= now:
            return milestone
    return target.milestones[-1]


def _trajectory(case: Case) -> Assessment:
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
    months_left = months_between(latest.end, deadline)
    step = _stepmonths_between(series)
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
        months_left=months_between(now, deadline),
    )
    if meets(target, milestone, latest.value):
        return replace(base, status=TargetStatus.ACHIEVED)
    return replace(base, status=by_band(target, milestone, projection, case.previous))


def _bounded(target: Target, indicator: Indicator, last: float, p: Projection) -> Projection:
    low_bound, high_bound = indicator.bounds
    if target.kind is TargetKind.CUMULATIVE:
        low_bound = max(low_bound, last)  # a count of what exists does not shrink

    ceiling = high_bound if high_bound is not None else math.inf

    def clamp(v: float) -> float:
        return min(max(v, low_bound), ceiling)

    return Projection(clamp(p.value), clamp(p.low), clamp(p.high), p.slope)


def _stepmonths_between(series: list[Observation]) -> float:
    """Months between consecutive reports (1 monthly, 3 quarterly, 12 yearly)."""
    if len(series) < 2:
        return 1.0
    gaps = sorted(months_between(a.end, b.end) for a, b in pairwise(series))
    return max(gaps[len(gaps) // 2], 0.5)
