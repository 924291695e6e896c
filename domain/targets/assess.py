"""A target's status at an injected "now", with the forecast behind it and every milestone's
result (milestones.py). The milestone in view is the earliest not yet settled:
- one whose period ended and whose final figure can still come is "awaiting", with the forecast
  of its period's figure, never "missed" before its figures can be in;
- one decided missed stays in view for a while, then the next milestone is;
- an open one is judged its kind's way: levels and per-10,000 figures by the projection of their
  series to the period the milestone is judged on (a derived rate: its deadline year's aggregate,
  the year so far blended with the projected rest), per-year flows by the year's run rate, yes/no
  lines by the time left (flows.py).
What a verdict is made of, and the rules every judge shares, are verdicts.py's."""

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

from catalog.plans import Indicator, Source, Target, TargetKind
from domain.targets.flows import per_year, yes_no
from domain.targets.forecast import Projection, project
from domain.targets.milestones import MilestoneResult, ResultStatus, figure_of, results
from domain.targets.verdicts import (
    MISSED_SHOWN_FOR,
    REPORT_GRACE,
    Assessment,
    Case,
    Observation,
    TargetStatus,
    by_band,
    finest,
    months_between,
)

_FINAL_STATUS = {
    ResultStatus.ACHIEVED: TargetStatus.ACHIEVED,
    ResultStatus.MISSED: TargetStatus.MISSED,
    ResultStatus.UNREPORTED: TargetStatus.STALE,
    ResultStatus.NOT_SCORED: TargetStatus.NOT_SCORED,
}


def assess(
    target: Target,
    indicator: Indicator,
    history: Sequence[Observation],
    now: date,
    previous: TargetStatus | None = None,
) -> Assessment:
    """`history`: the indicator's figures at every granularity reported (months, quarters,
    years), a period in progress included (a derived rate's year so far)."""
    history = [o for o in history if o.start <= now]  # as of now
    found = tuple(results(target, indicator, history, now))
    series = finest(o for o in history if o.end <= now)
    current = _in_view(target, found, now)
    case = Case(
        target, indicator, series, current.milestone, now, previous, current.year, tuple(history)
    )
    if current.status is ResultStatus.OPEN:
        verdict = _judged(case)
    elif current.status is ResultStatus.AWAITING:
        verdict = _awaiting(case, current)
    else:
        verdict = _settled(case, current)
    return replace(verdict, results=found, year=current.year)


def _in_view(target: Target, found: Sequence[MilestoneResult], now: date) -> MilestoneResult:
    """The earliest result not settled: an achieved one is settled at once (a per-year line's
    achieved current year stays in view), a missed or unreported one once it has been shown."""
    ahead = []
    for result in found:
        if target.kind is TargetKind.PER_YEAR and result.year > now.year:
            ahead.append(result)  # a later stage's year: in view once nothing else is
        elif not _settled_by(result, now):
            return result
    if ahead:
        return ahead[0]
    return found[-1]


def _settled_by(result: MilestoneResult, now: date) -> bool:
    shown_until = result.final_by + MISSED_SHOWN_FOR
    match result.status:
        case ResultStatus.ACHIEVED:
            return result.year < now.year
        case ResultStatus.MISSED | ResultStatus.UNREPORTED:
            return now > shown_until
        case ResultStatus.NOT_SCORED:
            return now > result.final_by
        case _:
            return False


def _judged(case: Case) -> Assessment:
    if case.target.kind is TargetKind.PER_YEAR and case.year > case.now.year:
        return Assessment(TargetStatus.NOT_BEGUN, case.milestone, months_left=_months_left(case))
    if not case.series:
        return Assessment(TargetStatus.NO_DATA, case.milestone, months_left=_months_left(case))
    judge = {TargetKind.PER_YEAR: per_year, TargetKind.MILESTONE: yes_no}.get(
        case.target.kind, _trajectory
    )
    verdict = judge(case)
    if _overdue(case.indicator, case.series[-1], case.now) and verdict.status not in (
        TargetStatus.ACHIEVED,
        TargetStatus.MISSED,
    ):  # the latest report is what is stale, also when the judge found no figure to go on
        return replace(verdict, status=TargetStatus.STALE, latest=verdict.latest or case.series[-1])
    return verdict


def _awaiting(case: Case, result: MilestoneResult) -> Assessment:
    """The period's figure so far and the forecast of it, marked provisional."""
    if not case.series:
        so_far = _so_far(case.target, result)
        return Assessment(TargetStatus.AWAITING, case.milestone, result.figure, so_far=so_far)
    provisional = _judged(case)
    latest = result.figure or provisional.latest
    return replace(provisional, status=TargetStatus.AWAITING, latest=latest)


def _settled(case: Case, result: MilestoneResult) -> Assessment:
    status = _FINAL_STATUS.get(result.status, TargetStatus.NO_DATA)
    latest = result.figure
    if status is TargetStatus.STALE:
        if not case.series:
            status = TargetStatus.NO_DATA
        latest = case.series[-1] if case.series else None
    return Assessment(status, case.milestone, latest, so_far=_so_far(case.target, result))


def _so_far(target: Target, result: MilestoneResult) -> float | None:
    """A per-year line's total for its year."""
    flow = target.kind is TargetKind.PER_YEAR and result.figure is not None
    return result.figure.value if flow and result.figure else None


def _trajectory(case: Case) -> Assessment:
    """The series projected to the period the milestone is judged on: a reported level to the
    deadline; a derived rate to its deadline year's aggregate — the year so far, weighted by
    the time it covers, blended with the projection at the middle of the year's rest."""
    target, indicator, series, milestone, now = (
        case.target,
        case.indicator,
        case.series,
        case.milestone,
        case.now,
    )
    latest, deadline = series[-1], milestone.deadline
    horizon, so_far, weight = deadline, None, 0.0
    if indicator.source is Source.DERIVED:
        year_start = date(milestone.year, 1, 1)
        so_far, _ = figure_of(target, indicator, milestone.year, case.history)
        weight = min(max(months_between(year_start, now) / 12, 0.0), 1.0) if so_far else 0.0
        rest_from = max(now, year_start)
        horizon = rest_from + (deadline - rest_from) / 2
    step = _step_months(series)
    ahead = max(months_between(latest.end, horizon), 0.0)
    projection = _bounded(
        target, indicator, latest.value, project([o.value for o in series], ahead / step)
    )
    if so_far is not None and weight:
        projection = _blend(projection, so_far.value, weight)
    goal = milestone.value if milestone.value is not None else 0.0
    months_left = months_between(latest.end, deadline)
    return Assessment(
        by_band(target, milestone, projection, case.previous),
        milestone,
        latest,
        projection.value,
        projection.low,
        projection.high,
        (goal - latest.value) / max(months_left, 1),
        projection.slope / step if len(series) > 1 else None,
        so_far=so_far.value if so_far else None,
        months_left=_months_left(case),
    )


def _blend(projection: Projection, so_far: float, weight: float) -> Projection:
    def mix(v: float) -> float:
        return weight * so_far + (1 - weight) * v

    return Projection(
        mix(projection.value), mix(projection.low), mix(projection.high), projection.slope
    )


def _bounded(target: Target, indicator: Indicator, last: float, p: Projection) -> Projection:
    low_bound, high_bound = indicator.bounds
    if target.kind is TargetKind.CUMULATIVE:
        low_bound = max(low_bound, last)  # a count of all ever made does not shrink; a stock may
    ceiling = high_bound if high_bound is not None else math.inf

    def clamp(v: float) -> float:
        return min(max(v, low_bound), ceiling)

    return Projection(clamp(p.value), clamp(p.low), clamp(p.high), p.slope)


def _overdue(indicator: Indicator, latest: Observation, now: date) -> bool:
    """The next period's report is late: its period, the publication lag and the grace are
    past."""
    lag = timedelta(days=indicator.publication_lag_days)
    return now > latest.end + (latest.end - latest.start) + lag + REPORT_GRACE


def _months_left(case: Case) -> float:
    return months_between(case.now, case.milestone.deadline)


def _step_months(series: list[Observation]) -> float:
    """Months between consecutive reports (1 monthly, 3 quarterly, 12 yearly)."""
    if len(series) < 2:
        return 1.0
    gaps = sorted(months_between(a.end, b.end) for a, b in pairwise(series))
    return max(gaps[len(gaps) // 2], 0.5)
