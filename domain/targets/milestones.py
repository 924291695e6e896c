"""Each milestone judged on the figure of its own period, and kept.

A milestone of 31/12/2025 is judged on the 2025 figure, from whichever report carries it,
whenever it arrives: a rate computed from events on the year's aggregate (the year's online
share, not December's); a reported level or stock on its value at the year's end (the year's
report, or the quarter's or month's ending on 31/12); a per-year flow on the year's total; a
yes/no line on a report, by its deadline, of the level it asks. Until the period's
final figure can have arrived — the period's end, the indicator's publication lag (DTI for a
year comes out mid-next-year), then the report grace — its verdict is provisional ("awaiting
the final figure"), never "missed". Then it is final (achieved or missed, with the figure; or
no figure at all) and stays in the target's history."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from catalog.plans import Comparator, Indicator, Milestone, Source, Target, TargetKind
from domain.targets.verdicts import REPORT_GRACE, Observation, finest, meets

DERIVED_GRACE = timedelta(days=15)  # late events of a period (a dossier reported in January)


class ResultStatus(StrEnum):
    OPEN = "open"  # its period has not ended
    AWAITING = "awaiting"  # ended; the final figure can still come
    ACHIEVED = "achieved"
    MISSED = "missed"
    UNREPORTED = "unreported"  # the final figure should have come and did not
    NOT_SCORED = "not_scored"  # a line with no measure: shown, not judged


@dataclass(frozen=True)
class MilestoneResult:
    milestone: Milestone
    year: int  # the period judged: the deadline's year, or a year of a per-year line's stage
    status: ResultStatus
    figure: Observation | None  # the period's figure (so far, while awaiting)
    final: bool
    final_by: date  # when the period's final figure can have arrived

    @property
    def decided(self) -> bool:
        return self.final and self.status is not ResultStatus.NOT_SCORED


def results(
    target: Target, indicator: Indicator, history: Sequence[Observation], now: date
) -> list[MilestoneResult]:
    """Every milestone's result as of `now` (a per-year line: one for each year of its stage
    that has begun), in order."""
    seen = [o for o in history if o.start <= now]  # as of now: a period in progress counts
    found = []
    for milestone in target.milestones:
        for year in _years_judged(target, milestone, now):
            found.append(_result(target, indicator, milestone, year, seen, now))
    return found


def final_by(indicator: Indicator, period_end: date) -> date:
    grace = DERIVED_GRACE if indicator.source is Source.DERIVED else REPORT_GRACE
    return period_end + timedelta(days=indicator.publication_lag_days) + grace


def figure_of(
    target: Target, indicator: Indicator, year: int, history: Iterable[Observation]
) -> tuple[Observation | None, bool]:
    """The year's figure, and whether it is the period's own (an exact report, or a year
    covered in full) rather than a figure so far."""
    in_year = [o for o in history if o.start.year == year and o.end.year == year]
    whole = next((o for o in in_year if _whole_year(o)), None)
    if target.kind is TargetKind.PER_YEAR:
        return _flow(in_year, whole, year)
    if indicator.source is Source.DERIVED:  # a rate of the year's events: their aggregate
        return whole, False  # final by the calendar only: late events still come in
    if whole is not None:
        return whole, True
    at_end = [o for o in in_year if o.end == date(year, 12, 31)]
    if at_end:  # the level at the year's end: its last quarter's or month's report
        return min(at_end, key=lambda o: o.end - o.start), True
    latest = max(in_year, key=lambda o: o.end, default=None)
    return latest, False


def _years_judged(target: Target, milestone: Milestone, now: date) -> list[int]:
    """A per-year line binds each year of its stage that has begun (its first, when none
    has); without a stage, the years after the line before it."""
    if target.kind is not TargetKind.PER_YEAR:
        return [milestone.year]
    first, last = milestone.stage
    if (first, last) == (0, 0):
        before = [m.year for m in target.milestones if m.year < milestone.year]
        first, last = (max(before) + 1 if before else milestone.year), milestone.year
    return [y for y in range(first, last + 1) if y <= now.year] or [first]


def _result(
    target: Target,
    indicator: Indicator,
    milestone: Milestone,
    year: int,
    history: list[Observation],
    now: date,
) -> MilestoneResult:
    end = date(year, 12, 31)
    by = final_by(indicator, end)
    if not milestone.scored:
        return MilestoneResult(milestone, year, ResultStatus.NOT_SCORED, None, True, by)
    if target.kind is TargetKind.MILESTONE:
        return _evidence(milestone, year, history, now, by)
    figure, own = figure_of(target, indicator, year, history)
    if figure is not None and _flow_met(target, milestone, figure):
        return MilestoneResult(milestone, year, ResultStatus.ACHIEVED, figure, True, by)
    if now <= end:
        return MilestoneResult(milestone, year, ResultStatus.OPEN, figure, False, by)
    if now > by and figure is not None and not _covers(indicator, year, history):
        # IOC did not see the whole year (it started within it): a part is no year's figure
        return MilestoneResult(milestone, year, ResultStatus.UNREPORTED, figure, True, by)
    if figure is not None and (own or now > by):
        met = meets(target, milestone, figure.value)
        status = ResultStatus.ACHIEVED if met else ResultStatus.MISSED
        return MilestoneResult(milestone, year, status, figure, True, by)
    if now > by:
        return MilestoneResult(milestone, year, ResultStatus.UNREPORTED, None, True, by)
    return MilestoneResult(milestone, year, ResultStatus.AWAITING, figure, False, by)


def _flow_met(target: Target, milestone: Milestone, figure: Observation) -> bool:
    """A year's flow only grows: once it meets a floor, the year is achieved."""
    floor = target.comparator is Comparator.AT_LEAST
    return target.kind is TargetKind.PER_YEAR and floor and meets(target, milestone, figure.value)


def _evidence(
    milestone: Milestone, year: int, history: list[Observation], now: date, by: date
) -> MilestoneResult:
    """A yes/no line is met by a report, for a period ending by its year, of the level it asks:
    a report that the centre is established (1) does not show it is the digital brain (2)."""
    own = [o for o in history if o.end.year <= year]
    done = next((o for o in own if o.value >= milestone.level - 0.5), None)
    if done is not None:
        return MilestoneResult(milestone, year, ResultStatus.ACHIEVED, done, True, by)
    latest = max(own, key=lambda o: o.end, default=None)
    if now <= date(year, 12, 31):
        return MilestoneResult(milestone, year, ResultStatus.OPEN, latest, False, by)
    if now <= by:
        return MilestoneResult(milestone, year, ResultStatus.AWAITING, latest, False, by)
    status = ResultStatus.MISSED if latest is not None else ResultStatus.UNREPORTED
    return MilestoneResult(milestone, year, status, latest, True, by)


def _flow(
    in_year: list[Observation], whole: Observation | None, year: int
) -> tuple[Observation | None, bool]:
    """A year's flow: its annual report, else the sum of its finer reports (final once they
    cover the year)."""
    if whole is not None:
        return whole, True
    parts = finest(in_year)
    if not parts:
        return None, False
    last = parts[-1].end
    return Observation(date(year, 1, 1), last, sum(o.value for o in parts)), last.month == 12


def _covers(indicator: Indicator, year: int, history: list[Observation]) -> bool:
    """A rate computed from events is the year's only if every month of it had events."""
    if indicator.source is not Source.DERIVED:
        return True
    months = {o.start.month for o in history if o.start.year == year and _a_month(o)}
    return len(months) == 12


def _a_month(o: Observation) -> bool:
    return o.start.day == 1 and (o.end - o.start).days < 31 and o.start.month == o.end.month


def _whole_year(o: Observation) -> bool:
    return o.start == date(o.start.year, 1, 1) and o.end == date(o.start.year, 12, 31)
