"""Each milestone judged on its own period's figure, by hand-worked cases: a lagged annual
figure, a report in its grace window, a final verdict arriving late and staying visible, a range
read as a floor, a stage-bound per-year line, an escalating qualitative line, a falling stock, an
annual rate judged on the year's aggregate."""

import calendar
from datetime import date, timedelta

import pytest

from catalog.plans import (
    Comparator,
    Group,
    Indicator,
    Milestone,
    Source,
    Target,
    TargetKind,
    load_plan,
)
from domain.targets.assess import assess
from domain.targets.forecast import project
from domain.targets.milestones import DERIVED_GRACE, ResultStatus, final_by, results
from domain.targets.verdicts import REPORT_GRACE, Observation, TargetStatus, meets, months_between

PLAN = load_plan("quang-ngai-359")


def year(y: int, value: float) -> Observation:
    return Observation(date(y, 1, 1), date(y, 12, 31), value)


def month(y: int, m: int, value: float) -> Observation:
    return Observation(date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]), value)


def quarter(y: int, q: int, value: float) -> Observation:
    last = 3 * q
    return Observation(date(y, last - 2, 1), date(y, last, calendar.monthrange(y, last)[1]), value)


def indicator(unit: str = "%", source: Source = Source.REPORTED, lag: int = 0) -> Indicator:
    return Indicator(
        code="X",
        name_vi="Chỉ tiêu",
        name_en="Indicator",
        unit=unit,
        source=source,
        publication_lag_days=lag,
    )


def target(kind: TargetKind, *milestones: Milestone, comparator: str = ">=") -> Target:
    return Target(
        id="t",
        indicator="X",
        group=Group.DIGITAL_TRANSFORMATION,
        scope="quang-ngai",
        comparator=Comparator(comparator),
        kind=kind,
        milestones=milestones,
    )


def milestone(y: int, value: float | None = None, **fields: object) -> Milestone:
    return Milestone.model_validate(
        {"deadline": date(y, 12, 31), "value": value, "section": "II", "text_vi": "…", **fields}
    )


# --- a lagged annual figure: DTI 2025 is published around July 2026 ---------------------------

DTI = indicator("index", lag=200)
DTI_TARGET = target(TargetKind.LEVEL, milestone(2025, 0.60), milestone(2030, 0.80))
DTI_SO_FAR = [year(2023, 0.50), year(2024, 0.56)]
DTI_FINAL_BY = date(2025, 12, 31) + timedelta(days=200) + REPORT_GRACE  # 17/09/2026


def test_a_lagged_annual_figure_is_awaited_with_its_forecast_not_judged_on_last_years() -> None:
    a = assess(DTI_TARGET, DTI, DTI_SO_FAR, date(2026, 3, 1))
    assert a.status is TargetStatus.AWAITING
    assert a.milestone.year == 2025
    assert a.latest == year(2024, 0.56)  # the latest figure, not the 2025 one
    assert a.projected is not None
    assert 0.60 < a.projected < 0.63  # 0.50, 0.56: the trend, a little damped, for 2025
    assert a.results[0].status is ResultStatus.AWAITING
    assert a.results[0].final_by == DTI_FINAL_BY == date(2026, 9, 17)
    assert a.results[1].status is ResultStatus.OPEN  # 2030 forecast beside it


def test_the_lagged_figure_when_it_comes_makes_the_verdict_final_and_the_next_milestone_shows() -> (
    None
):
    a = assess(DTI_TARGET, DTI, [*DTI_SO_FAR, year(2025, 0.62)], date(2026, 7, 20))
    assert a.results[0].status is ResultStatus.ACHIEVED
    assert a.results[0].final
    assert a.results[0].figure == year(2025, 0.62)
    assert a.milestone.year == 2030  # the 2025 milestone is settled; 2030 is in view
    assert a.status in (TargetStatus.ON_TRACK, TargetStatus.AT_RISK, TargetStatus.OFF_TRACK)


def test_a_lagged_figure_below_target_is_missed_and_shown_for_a_while() -> None:
    history = [*DTI_SO_FAR, year(2025, 0.58)]
    missed = assess(DTI_TARGET, DTI, history, date(2026, 7, 20))
    assert (missed.status, missed.milestone.year) == (TargetStatus.MISSED, 2025)
    assert missed.latest == year(2025, 0.58)
    later = assess(DTI_TARGET, DTI, history, DTI_FINAL_BY + timedelta(days=91))
    assert later.milestone.year == 2030
    assert later.results[0].status is ResultStatus.MISSED  # kept in the history


def test_no_final_figure_by_its_date_is_unreported_then_a_late_figure_is_kept() -> None:
    unreported = assess(DTI_TARGET, DTI, DTI_SO_FAR, DTI_FINAL_BY + timedelta(days=1))
    assert unreported.results[0].status is ResultStatus.UNREPORTED
    assert unreported.status is TargetStatus.STALE
    # The 2025 figure arrives in 2027, after 2030 came into view: the verdict is 2025's, kept.
    late = assess(DTI_TARGET, DTI, [*DTI_SO_FAR, year(2025, 0.61)], date(2027, 2, 1))
    assert late.milestone.year == 2030
    assert (late.results[0].status, late.results[0].figure) == (
        ResultStatus.ACHIEVED,
        year(2025, 0.61),
    )


# --- a report in its grace window -------------------------------------------------------------

MONTHLY = [month(2025, m, 60 + m) for m in range(1, 12)]  # 61 in January … 71 in November
AT_70 = target(TargetKind.LEVEL, milestone(2025, 70))


def test_a_december_report_still_within_its_grace_is_awaited_never_missed_early() -> None:
    a = assess(AT_70, indicator(), MONTHLY, date(2026, 1, 5))
    assert a.status is TargetStatus.AWAITING
    assert a.results[0].final_by == date(2025, 12, 31) + REPORT_GRACE


def test_the_december_report_decides_the_year_at_once() -> None:
    below = assess(AT_70, indicator(), [*MONTHLY, month(2025, 12, 68)], date(2026, 1, 12))
    assert below.status is TargetStatus.MISSED
    assert below.results[0].final
    above = assess(AT_70, indicator(), [*MONTHLY, month(2025, 12, 72)], date(2026, 1, 12))
    assert above.results[0].status is ResultStatus.ACHIEVED


def test_a_year_end_level_comes_from_whichever_report_carries_it() -> None:
    q4 = [quarter(2025, q, 66 + q) for q in (1, 2, 3, 4)]  # 70 for the quarter ending 31/12
    r = results(AT_70, indicator(), q4, date(2026, 1, 20))[0]
    assert (r.status, r.figure) == (ResultStatus.ACHIEVED, quarter(2025, 4, 70))
    annual = results(AT_70, indicator(), [*q4, year(2025, 69.5)], date(2026, 1, 20))[0]
    assert (annual.status, annual.figure) == (ResultStatus.MISSED, year(2025, 69.5))


# --- an annual rate, computed from events: the year's aggregate, not December ----------------

ONLINE = indicator(source=Source.DERIVED)
ONLINE_MONTHS = [month(2025, m, 58 + 1.5 * m) for m in range(1, 13)]  # 59.5 … 76 in December
ONLINE_YEAR = year(2025, 67.0)  # the year's share of dossiers online: below 70


def test_an_annual_rate_is_judged_on_the_years_aggregate_not_on_december() -> None:
    history = [*ONLINE_MONTHS, ONLINE_YEAR]
    early = assess(AT_70, ONLINE, history, date(2026, 1, 10))
    assert early.status is TargetStatus.AWAITING  # late events of 2025 may still come in
    final = assess(AT_70, ONLINE, history, date(2025, 12, 31) + DERIVED_GRACE + timedelta(1))
    assert final.status is TargetStatus.MISSED
    assert final.latest == ONLINE_YEAR  # December's 76 is not the year


def test_an_annual_rate_forecast_blends_the_year_so_far_with_the_projected_rest() -> None:
    months = [month(2025, m, 60 + m) for m in range(1, 7)]  # 61 … 66 by June
    so_far = Observation(date(2025, 1, 1), date(2025, 12, 31), 63.0)  # the year to date
    now = date(2025, 7, 1)
    a = assess(AT_70, ONLINE, [*months, so_far], now)
    weight = months_between(date(2025, 1, 1), now) / 12  # 181 days of 365: 0.4956
    middle_of_rest = now + (date(2025, 12, 31) - now) / 2  # 30/09: the rest's mean, on a trend
    rest = project([o.value for o in months], months_between(date(2025, 6, 30), middle_of_rest))
    assert weight == pytest.approx(0.4956, abs=1e-4)
    # (steps are measured in reporting intervals, a little under a month: hence the tolerance)
    assert a.projected == pytest.approx(weight * 63.0 + (1 - weight) * rest.value, abs=0.05)
    assert a.so_far == 63.0


# --- the plan's meaning: floors, stages, escalating lines, stocks, unscored lines ------------


def test_a_range_whose_top_is_an_aspiration_is_a_floor_so_exceeding_it_is_no_failure() -> None:
    adults = PLAN.by_id["adults-regular-digital-services"]
    line = adults.milestones[0]  # «80% - 90% dân số trưởng thành …» (2040)
    assert (adults.comparator, line.value, line.aspiration) == (Comparator.AT_LEAST, 80, 90)
    assert meets(adults, line, 95)
    assert not meets(adults, line, 79)
    projects = PLAN.by_id["startup-projects"]
    assert meets(projects, projects.milestones[-1], 48)  # «30 đến 40 dự án»: 48 is more


def test_a_per_year_line_binds_the_years_of_its_own_stage_only() -> None:
    projects = PLAN.by_id["startup-projects"]
    stage_2040 = next(m for m in projects.milestones if m.year == 2040)
    assert stage_2040.stage == (2036, 2040)
    only_2040 = target(TargetKind.PER_YEAR, stage_2040)
    a = assess(only_2040, indicator("count"), [quarter(2026, 1, 9)], date(2026, 7, 1))
    assert a.status is TargetStatus.NOT_BEGUN  # «2036–2040: mỗi năm …» is not 2026's target


def test_each_year_of_a_stage_gets_its_own_result() -> None:
    line = milestone(2030, 5, stage=(2026, 2030))
    flows = target(TargetKind.PER_YEAR, line)
    history = [quarter(2026, q, 1) for q in (1, 2, 3, 4)] + [quarter(2027, 1, 6)]
    found = results(flows, indicator("count"), history, date(2027, 4, 20))
    assert [(r.year, r.status) for r in found] == [
        (2026, ResultStatus.MISSED),  # 4 in 2026, all four quarters in
        (2027, ResultStatus.ACHIEVED),  # 6 already: a flow only grows
    ]


def test_an_escalating_qualitative_line_needs_its_own_level_of_evidence() -> None:
    centre = PLAN.by_id["smart-operations-centre"]
    assert [m.level for m in centre.milestones] == [1, 2, 3]
    levels = indicator("level")
    established = [year(2034, 1)]  # reported established, not yet the digital brain
    found = results(centre, levels, established, date(2038, 1, 1))
    assert [r.status for r in found] == [
        ResultStatus.ACHIEVED,
        ResultStatus.OPEN,
        ResultStatus.OPEN,
    ]
    brain = results(centre, levels, [*established, year(2039, 2)], date(2040, 3, 1))
    assert [r.status for r in brain] == [
        ResultStatus.ACHIEVED,
        ResultStatus.ACHIEVED,
        ResultStatus.OPEN,
    ]


def test_a_stock_can_fall_and_is_forecast_as_falling() -> None:
    enterprises = PLAN.by_id["sci-tech-enterprises"]
    assert enterprises.kind is TargetKind.LEVEL  # a stock, not a count that only grows
    closing = [quarter(2026, q, 20 - 2 * q) for q in (1, 2, 3, 4)]  # 18, 16, 14, 12
    a = assess(enterprises, indicator("count"), closing, date(2027, 1, 20))
    assert a.projected is not None
    assert a.projected < 12


def test_a_line_with_no_measure_is_shown_not_scored() -> None:
    experts = PLAN.by_id["world-experts-attracted"]
    assert not experts.scored
    a = assess(experts, indicator("yes/no"), [], date(2026, 12, 1))
    assert a.status is TargetStatus.NOT_SCORED
    assert [r.status for r in a.results] == [ResultStatus.NOT_SCORED]


def test_final_by_adds_the_publication_lag_and_the_grace() -> None:
    assert final_by(DTI, date(2025, 12, 31)) == date(2026, 9, 17)
    assert final_by(ONLINE, date(2025, 12, 31)) == date(2026, 1, 15)


def test_a_rate_from_events_of_part_of_a_year_is_no_figure_for_the_year() -> None:
    # IOC started in December: the "2025" aggregate is December's, not the year's.
    december_only = [month(2025, 12, 76), year(2025, 76)]
    [r] = results(AT_70, ONLINE, december_only, date(2026, 2, 1))
    assert (r.status, r.figure, r.final) == (ResultStatus.UNREPORTED, year(2025, 76), True)
