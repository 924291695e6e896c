"""Every kind and every status, with hand-computed cases; "now" is always given."""

import calendar
from datetime import date

import pytest

from catalog.plans import Comparator, Group, Indicator, Milestone, Source, Target, TargetKind
from domain.targets.assess import assess
from domain.targets.milestones import ResultStatus
from domain.targets.verdicts import Observation, TargetStatus

END_2025 = date(2025, 12, 31)


def indicator(unit: str = "%") -> Indicator:
    return Indicator(
        code="X", name_vi="Chỉ tiêu", name_en="Indicator", unit=unit, source=Source.REPORTED
    )


def target(
    value: float | None,
    kind: TargetKind = TargetKind.LEVEL,
    comparator: str = ">=",
    upper: float | None = None,
    deadlines: tuple[date, ...] = (END_2025,),
) -> Target:
    milestones = tuple(
        Milestone(deadline=d, value=value, upper=upper, section="II.2.1.e", text_vi="…")
        for d in deadlines
    )
    return Target(
        id="t",
        indicator="X",
        group=Group.DIGITAL_TRANSFORMATION,
        scope="quang-ngai",
        comparator=Comparator(comparator),
        kind=kind,
        milestones=milestones,
    )


def month(year: int, m: int, value: float) -> Observation:
    return Observation(date(year, m, 1), date(year, m, calendar.monthrange(year, m)[1]), value)


# 40, 41, … 57: January 2024 to June 2025, one point a month.
RISING = [month(2024 + i // 12, i % 12 + 1, 40 + i) for i in range(18)]
JULY = date(2025, 7, 10)


def test_no_report_is_no_data() -> None:
    assert assess(target(70), indicator(), [], JULY).status is TargetStatus.NO_DATA


def test_a_value_meeting_the_target_before_its_period_ends_is_on_track_not_yet_achieved() -> None:
    # 57 in June against ≥ 55: the milestone is judged on the 2025 figure, not June's.
    a = assess(target(55), indicator(), RISING, JULY)
    assert a.status is TargetStatus.ON_TRACK
    assert [r.status for r in a.results] == [ResultStatus.OPEN]


def test_a_projection_whose_whole_band_meets_the_target_is_on_track() -> None:
    a = assess(target(58), indicator(), RISING, JULY)
    assert a.status is TargetStatus.ON_TRACK
    assert a.low is not None
    assert a.low >= 58


def test_a_projection_whose_band_misses_the_target_is_off_track() -> None:
    a = assess(target(70), indicator(), RISING, JULY)
    assert a.status is TargetStatus.OFF_TRACK
    assert a.required_pace == pytest.approx((70 - 57) / (a.months_left + 0.3), rel=0.1)
    assert a.observed_pace == pytest.approx(1.0, abs=0.25)  # one point a month


def test_a_band_straddling_the_target_is_at_risk() -> None:
    a = assess(target(62), indicator(), RISING, JULY)
    assert a.low is not None
    assert a.high is not None
    assert a.low < 62 < a.high
    assert a.status is TargetStatus.AT_RISK


def test_hysteresis_keeps_on_track_until_the_band_drops_by_the_margin() -> None:
    a = assess(target(58), indicator(), RISING, JULY)
    assert a.low is not None
    just_above_low = a.low + 0.5  # the band now misses by less than 2% of the target
    assert (
        assess(target(just_above_low), indicator(), RISING, JULY, TargetStatus.ON_TRACK).status
        is TargetStatus.ON_TRACK
    )
    assert (
        assess(target(just_above_low), indicator(), RISING, JULY, TargetStatus.AT_RISK).status
        is TargetStatus.AT_RISK
    )
    assert (
        assess(target(a.low + 5), indicator(), RISING, JULY, TargetStatus.ON_TRACK).status
        is TargetStatus.AT_RISK
    )


def test_hysteresis_keeps_off_track_until_the_band_reaches_the_target() -> None:
    a = assess(target(58), indicator(), RISING, JULY)
    assert a.high is not None
    just_above_high = a.high + 0.5  # the best case misses by less than the margin
    assert (
        assess(target(just_above_high), indicator(), RISING, JULY, TargetStatus.OFF_TRACK).status
        is TargetStatus.OFF_TRACK
    )
    assert (
        assess(target(just_above_high), indicator(), RISING, JULY, TargetStatus.AT_RISK).status
        is TargetStatus.AT_RISK
    )


def test_a_deadline_passed_below_target_is_missed_for_a_while_then_the_next_milestone_shows() -> (
    None
):
    history = [*RISING, *(month(2025, m, 57 + m - 6) for m in range(7, 13))]  # 63 in December
    two_milestones = target(70, deadlines=(END_2025, date(2030, 12, 31)))
    missed = assess(two_milestones, indicator(), history, date(2026, 2, 15))
    assert missed.status is TargetStatus.MISSED
    assert missed.milestone.deadline == END_2025
    later = assess(two_milestones, indicator(), history, date(2026, 6, 1))
    assert later.milestone.deadline == date(2030, 12, 31)


def test_at_most_targets_want_the_value_to_fall() -> None:
    falling = [month(2024 + i // 12, i % 12 + 1, 30 - i) for i in range(18)]  # 30 → 13
    # 13 in June, falling a point a month: about 7–9 by December.
    assert (
        assess(target(12, comparator="<="), indicator(), falling, JULY).status
        is TargetStatus.ON_TRACK
    )
    assert (
        assess(target(5, comparator="<="), indicator(), falling, JULY).status
        is TargetStatus.OFF_TRACK
    )
    assert (
        assess(target(13, comparator="<="), indicator(), falling, JULY).status
        is TargetStatus.ON_TRACK
    )


def test_range_targets_are_met_inside_the_range_only() -> None:
    year = [*RISING, *(month(2025, m, 50 + m) for m in range(7, 13))]  # 62 in December
    after = date(2026, 3, 10)  # the December report's grace is over
    assert assess(target(55, TargetKind.LEVEL, "range", 65), indicator(), year, after).status is (
        TargetStatus.ACHIEVED
    )
    overshoot = assess(target(40, TargetKind.LEVEL, "range", 50), indicator(), year, after)
    assert overshoot.status is TargetStatus.MISSED
    assert overshoot.latest == month(2025, 12, 62)


def test_shares_stay_within_0_and_100_percent() -> None:
    steep = [month(2025, m, 80 + 3 * m) for m in range(1, 7)]  # 83 → 98
    a = assess(target(100), indicator("%"), steep, JULY)
    assert a.high == pytest.approx(100)
    assert a.projected is not None
    assert a.projected <= 100


def test_a_cumulative_count_never_projects_below_what_exists() -> None:
    shrinking = [month(2025, m, 12 - m) for m in range(1, 7)]  # reports 11 → 6
    a = assess(target(20, kind=TargetKind.CUMULATIVE), indicator("count"), shrinking, JULY)
    assert a.low is not None
    assert a.low >= 6


def per_year(value: float, kind_upper: float | None = None) -> Target:
    comparator = "range" if kind_upper is not None else ">="
    return target(
        value,
        TargetKind.PER_YEAR,
        comparator,
        kind_upper,
        deadlines=(date(2025, 12, 31), date(2030, 12, 31)),
    )


def quarter(year: int, q: int, value: float) -> Observation:
    start = date(year, 3 * q - 2, 1)
    end_month = 3 * q
    return Observation(start, date(year, end_month, calendar.monthrange(year, end_month)[1]), value)


def test_a_per_year_flow_is_judged_on_this_years_run_rate() -> None:
    # 1 + 1 in the first half of 2026: 4 a year; band 4 ± 1.28 × √4 × ½ = 2.72–5.28; target 5.
    a = assess(
        per_year(5),
        indicator("count"),
        [quarter(2026, 1, 1), quarter(2026, 2, 1)],
        date(2026, 7, 15),
    )
    assert a.so_far == 2
    assert a.projected == pytest.approx(4, rel=0.02)
    assert a.low == pytest.approx(2.72, abs=0.05)
    assert a.high == pytest.approx(5.28, abs=0.05)
    assert a.status is TargetStatus.AT_RISK


def test_a_per_year_flow_reaching_the_target_is_achieved_and_a_full_year_short_is_missed() -> None:
    strong = [quarter(2026, 1, 3), quarter(2026, 2, 3)]
    assert (
        assess(per_year(5), indicator("count"), strong, date(2026, 7, 15)).status
        is TargetStatus.ACHIEVED
    )
    weak_year = [quarter(2026, q, 1) for q in range(1, 5)]
    assert (
        assess(per_year(5), indicator("count"), weak_year, date(2027, 1, 20)).status
        is TargetStatus.MISSED
    )


def test_a_per_year_flow_whose_reports_stopped_years_ago_is_stale_with_its_last_report() -> None:
    # Found by the property test: no figure for this year or the last, so the judge had none;
    # the stale verdict then carried no report and explaining it failed (every target's sweep).
    a = assess(per_year(5), indicator("count"), [quarter(2025, 1, 2)], date(2027, 7, 15))
    assert a.status is TargetStatus.STALE
    assert a.latest == quarter(2025, 1, 2)


def test_a_per_year_range_is_on_track_when_the_pace_sits_inside_it() -> None:
    a = assess(
        per_year(30, kind_upper=45),
        indicator("count"),
        [quarter(2026, q, 9) for q in (1, 2, 3)],
        date(2026, 10, 10),
    )
    assert a.projected == pytest.approx(36, rel=0.03)
    assert a.status is TargetStatus.ON_TRACK


def yes_no(deadline: date = date(2035, 12, 31)) -> Target:
    return target(None, TargetKind.MILESTONE, "=", deadlines=(deadline,))


@pytest.mark.parametrize(
    ("reported", "now", "status"),
    [
        (1.0, date(2030, 1, 1), TargetStatus.ACHIEVED),
        (0.0, date(2030, 1, 1), TargetStatus.ON_TRACK),
        (0.0, date(2035, 4, 1), TargetStatus.AT_RISK),
        (0.0, date(2035, 11, 1), TargetStatus.OFF_TRACK),
        (0.0, date(2036, 1, 15), TargetStatus.AWAITING),  # the December report may still come
        (0.0, date(2036, 3, 15), TargetStatus.MISSED),
    ],
)
def test_a_yes_no_milestone_by_its_state_and_the_time_left(
    reported: float, now: date, status: TargetStatus
) -> None:
    ends = min(now.replace(day=1), date(2035, 12, 31))
    report = Observation(date(ends.year - 1, 1, 1), ends, reported)
    assert assess(yes_no(), indicator("yes/no"), [report], now).status is status


def test_an_overdue_report_is_stale() -> None:
    history = [month(2024, 1, 50), month(2024, 2, 52)]
    assert assess(target(70), indicator(), history, date(2024, 12, 1)).status is TargetStatus.STALE
    assert (
        assess(target(70), indicator(), history, date(2024, 3, 20)).status is not TargetStatus.STALE
    )


def test_reports_after_now_are_ignored_so_a_replay_sees_the_past() -> None:
    history = [*RISING, month(2025, 7, 75), month(2025, 8, 76)]
    before = assess(target(70), indicator(), history, date(2025, 7, 10))
    assert before.status is TargetStatus.OFF_TRACK
    assert before.latest == RISING[-1]
    after = assess(target(70), indicator(), history, date(2025, 9, 10))
    assert after.latest == month(2025, 8, 76)
    assert after.status is not TargetStatus.OFF_TRACK
