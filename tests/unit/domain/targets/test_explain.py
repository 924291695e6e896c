"""The one-sentence explanations, word for word, in Vietnamese and English."""

from datetime import date

from catalog.plans import Indicator, Source
from domain.targets.explain import STATUS_NAMES, explain
from domain.targets.verdicts import Assessment, Observation, TargetStatus
from tests.unit.domain.targets.test_assess import RISING, month, per_year, quarter, target, yes_no


def unit(name: str) -> Indicator:
    return Indicator(
        code="X", name_vi="Chỉ tiêu", name_en="Indicator", unit=name, source=Source.REPORTED
    )


def test_a_projection_names_value_range_target_deadline_and_both_paces() -> None:
    t = target(70)
    a = Assessment(
        TargetStatus.OFF_TRACK,
        t.milestones[0],
        RISING[-1],
        projected=63.04,
        low=58.5,
        high=67.25,
        required_pace=1.2,
        observed_pace=0.4,
    )
    vi, en = explain(t, unit("%"), a)
    assert vi == (
        "Theo tốc độ hiện tại, đến 31/12/2025 đạt 63% (khoảng 58,5%–67,2%); mục tiêu "
        "≥ 70%; cần +1,2 điểm %/tháng, xu hướng hiện tại +0,4."
    )
    assert en == (
        "At the current pace 63% by 31/12/2025 (range 58.5%–67.2%); target ≥ 70%; "
        "needs +1.2 points/month, trend +0.4."
    )


def test_an_index_keeps_two_decimals_and_a_decimal_comma() -> None:
    t = target(0.6)
    latest = Observation(date(2024, 1, 1), date(2024, 12, 31), 0.52)
    a = Assessment(
        TargetStatus.AT_RISK,
        t.milestones[0],
        latest,
        projected=0.58,
        low=0.55,
        high=0.61,
        required_pace=0.0067,
        observed_pace=None,
    )
    vi, en = explain(t, unit("index"), a)
    assert vi == (
        "Theo tốc độ hiện tại, đến 31/12/2025 đạt 0,58 (khoảng 0,55–0,61); mục tiêu "
        "≥ 0,60; cần +0,007/tháng, chưa đủ số liệu để tính xu hướng."
    )
    assert en.endswith("target ≥ 0.60; needs +0.007/month, too few reports for a trend.")


def test_large_counts_use_a_thousands_dot_in_vietnamese() -> None:
    t = target(1000, comparator=">=")
    latest = Observation(date(2045, 1, 1), date(2045, 6, 30), 1234)
    a = Assessment(TargetStatus.ACHIEVED, t.milestones[0], latest)
    vi, en = explain(t, unit("count"), a)
    assert vi == "Đã đạt 1.234 (kỳ kết thúc 30/06/2045); mục tiêu ≥ 1.000 đến 31/12/2025."
    assert en == "Achieved 1,234 (period ending 30/06/2045); target ≥ 1,000 by 31/12/2025."


def test_a_per_year_flow_reports_the_years_total_and_pace() -> None:
    t = per_year(5)
    a = Assessment(
        TargetStatus.AT_RISK,
        t.milestones[1],
        quarter(2026, 2, 1),
        projected=4,
        low=2.7,
        high=5.3,
        so_far=2,
        months_left=5.5,
    )
    assert explain(t, unit("count"), a) == (
        "Năm 2026 đến nay 2, nhịp độ cả năm 4 (khoảng 3–5); mục tiêu mỗi năm ≥ 5.",
        "2026 so far 2, on pace for 4 (range 3–5); target ≥ 5 a year.",
    )


def test_a_range_target_reads_as_between() -> None:
    t = per_year(30, kind_upper=40)
    a = Assessment(TargetStatus.MISSED, t.milestones[0], quarter(2025, 4, 9), so_far=28)
    assert explain(t, unit("count"), a) == (
        "Năm 2025: 28, không đạt mục tiêu mỗi năm trong khoảng 30–40.",
        "2025: 28, missed the yearly target between 30 and 40.",
    )


def test_yes_no_milestones_say_done_or_the_months_left() -> None:
    t = yes_no()
    report = Observation(date(2026, 1, 1), date(2026, 12, 31), 0)
    waiting = Assessment(TargetStatus.ON_TRACK, t.milestones[0], report, months_left=107.4)
    assert explain(t, unit("yes/no"), waiting) == (
        "Chưa hoàn thành; còn 107 tháng đến hạn 31/12/2035.",
        "Not done yet; 107 months left to the 31/12/2035 deadline.",
    )
    done = Assessment(TargetStatus.ACHIEVED, t.milestones[0], report)
    assert explain(t, unit("yes/no"), done) == (
        "Đã hoàn thành (báo cáo kỳ kết thúc 31/12/2026).",
        "Done (reported for 31/12/2026).",
    )


def test_no_data_and_stale_reports_say_so() -> None:
    t = target(70)
    assert explain(t, unit("%"), Assessment(TargetStatus.NO_DATA, t.milestones[0])) == (
        "Chưa có số liệu; mục tiêu ≥ 70% đến 31/12/2025.",
        "No data reported yet; target ≥ 70% by 31/12/2025.",
    )
    stale = Assessment(TargetStatus.STALE, t.milestones[0], month(2024, 2, 52))
    vi, en = explain(t, unit("%"), stale)
    assert vi.startswith("Số liệu quá hạn: báo cáo gần nhất cho kỳ kết thúc 29/02/2024")
    assert en.startswith("Stale: the latest report is for the period ending 29/02/2024")


def test_every_status_has_a_name_in_both_languages() -> None:
    assert set(STATUS_NAMES) == set(TargetStatus)
    assert STATUS_NAMES[TargetStatus.AT_RISK] == ("Có nguy cơ không đạt", "At risk")
    assert all(vi and en for vi, en in STATUS_NAMES.values())
