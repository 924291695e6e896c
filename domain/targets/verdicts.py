"""What a target's verdict is made of: its status, the observations it is judged on, the
assessment with its forecast, and the rules every judge shares (does a value meet the
milestone, how far it falls short, where a forecast band puts the status, with hysteresis)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from catalog.plans import Comparator, Indicator, Milestone, Target
from domain.targets.forecast import Projection

if TYPE_CHECKING:  # milestones.py builds on these types
    from domain.targets.milestones import MilestoneResult

MISSED_SHOWN_FOR = timedelta(days=90)  # a missed deadline stays the status while final reports come
REPORT_GRACE = timedelta(days=60)  # a period's report may arrive this long after the period ends
HYSTERESIS = 0.02  # leaving a status takes a crossing by 2% of the target, so it does not flap


class TargetStatus(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    MISSED = "missed"
    AWAITING = "awaiting"  # the milestone's period ended; its final figure can still come
    NO_DATA = "no_data"
    STALE = "stale"
    NOT_BEGUN = "not_begun"  # a per-year line whose stage is still ahead
    NOT_SCORED = "not_scored"  # lines with no measure: shown, not judged


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
    year: int | None = None  # the period judged: the milestone's year, or a per-year line's
    results: tuple["MilestoneResult", ...] = ()  # every milestone's, final ones kept

    def in_view(self) -> "MilestoneResult | None":
        """The result of the milestone (and year) this assessment is about."""
        mine = (r for r in self.results if r.milestone == self.milestone and r.year == self.year)
        return next(mine, None)


@dataclass(frozen=True)
class Case:
    """What every judge looks at: the target, its history up to now, the milestone in view."""

    target: Target
    indicator: Indicator
    series: list[Observation]
    milestone: Milestone
    now: date
    previous: TargetStatus | None
    year: int = 0  # the year a per-year judge is about
    history: tuple[Observation, ...] = ()  # every granularity: a derived rate's year so far


def meets(target: Target, milestone: Milestone, value: float) -> bool:
    return shortfall(target.comparator, milestone, value) <= 0


def by_band(
    target: Target, milestone: Milestone, projection: Projection, previous: TargetStatus | None
) -> TargetStatus:
    """On track when the whole band meets the target, off track when none of it does; a status
    is left only when the band crosses its threshold by the hysteresis margin."""
    margin = HYSTERESIS * abs(milestone.upper or milestone.value or 1.0)
    worst = max(
        shortfall(target.comparator, milestone, v) for v in (projection.low, projection.high)
    )
    best = best_shortfall(target.comparator, milestone, projection)
    if worst <= (margin if previous is TargetStatus.ON_TRACK else 0.0):
        return TargetStatus.ON_TRACK
    if best > (0.0 if previous is TargetStatus.OFF_TRACK else margin):
        return TargetStatus.OFF_TRACK
    return TargetStatus.AT_RISK


def shortfall(comparator: Comparator, milestone: Milestone, value: float) -> float:
    """How far a value is from meeting the milestone (0 or less: it meets it)."""
    goal = milestone.value if milestone.value is not None else 1.0
    if comparator is Comparator.AT_LEAST:
        return goal - value
    if comparator is Comparator.AT_MOST:
        return value - goal
    if comparator is Comparator.RANGE:
        return max(goal - value, value - (milestone.upper or goal))
    return abs(value - goal) - 0.005 * abs(goal)


def best_shortfall(comparator: Comparator, milestone: Milestone, band: Projection) -> float:
    if comparator is Comparator.RANGE and milestone.upper is not None:
        return max(milestone.value or 0.0, band.low) - min(milestone.upper, band.high)
    return min(shortfall(comparator, milestone, v) for v in (band.low, band.high))


def finest(observations: Iterable[Observation]) -> list[Observation]:
    """The finest periods reported (months, else quarters, else years), oldest first."""
    found = list(observations)
    if not found:
        return []
    shortest = min(o.end - o.start for o in found)
    slack = timedelta(days=3)  # months are 28–31 days long, quarters 90–92
    return sorted((o for o in found if o.end - o.start <= shortest + slack), key=lambda o: o.end)


def months_between(start: date, end: date) -> float:
    return (end - start).days / 30.4375
