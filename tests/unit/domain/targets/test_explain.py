"""The one-sentence explanations, word for word, in Vietnamese and English."""

from datetime import date

from catalog.plans import Indicator, Source
from domain.targets.assess import assess
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
    latest = Observation(date(2025, 1, 1), date(2025, 12, 31), 1234)
    a = Assessment(TargetStatus.ACHIEVED, t.milestones[0], latest, year=2025)
    vi, en = explain(t, unit("count"), a)
    assert vi == "Đã đạt: 1.234 năm 2025; mục tiêu ≥ 1.000 đến 31/12/2025."
    assert en == "Achieved: 1,234 for 2025; target ≥ 1,000 by 31/12/2025."


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


def test_an_awaited_figure_says_when_it_is_due_and_its_forecast() -> None:
    from tests.unit.domain.targets.test_milestones import DTI, DTI_SO_FAR, DTI_TARGET

    a = assess(DTI_TARGET, DTI, DTI_SO_FAR, date(2026, 3, 1))
    assert explain(DTI_TARGET, DTI, a) == (
        "Chờ số liệu chính thức năm 2025 (hạn có số liệu 17/09/2026); dự báo 0,61 (khoảng "
        "0,58–0,64); mục tiêu ≥ 0,60.",
        "Awaiting the final 2025 figure (due by 17/09/2026); forecast 0.61 (range 0.58–0.64); "
        "target ≥ 0.60.",
    )


def test_a_final_miss_names_its_year_and_figure() -> None:
    from tests.unit.domain.targets.test_milestones import DTI, DTI_SO_FAR, DTI_TARGET

    history = [*DTI_SO_FAR, Observation(date(2025, 1, 1), date(2025, 12, 31), 0.58)]
    a = assess(DTI_TARGET, DTI, history, date(2026, 7, 20))
    assert explain(DTI_TARGET, DTI, a) == (
        "Không đạt: 0,58 năm 2025; mục tiêu ≥ 0,60 đến 31/12/2025.",
        "Missed: 0.58 for 2025; target ≥ 0.60 by 31/12/2025.",
    )


def test_an_annual_rate_is_forecast_for_the_year_as_a_whole() -> None:
    t = target(70)
    derived = Indicator(
        code="X", name_vi="Chỉ tiêu", name_en="Indicator", unit="%", source=Source.DERIVED
    )
    a = Assessment(
        TargetStatus.OFF_TRACK,
        t.milestones[0],
        month(2025, 6, 66),
        projected=65.7,
        low=64.9,
        high=66.4,
        required_pace=0.7,
        observed_pace=1.0,
        so_far=63,
    )
    assert explain(t, derived, a) == (
        "Theo tốc độ hiện tại, cả năm 2025 đạt 65,7% (khoảng 64,9%–66,4%), năm 2025 đến nay "
        "63%; mục tiêu ≥ 70%; cần +0,7 điểm %/tháng, xu hướng hiện tại +1,0.",
        "At the current pace 65.7% for 2025 as a whole (range 64.9%–66.4%); 2025 so far 63%; "
        "target ≥ 70%; needs +0.7 points/month, trend +1.0.",
    )


def test_a_stage_not_begun_and_a_line_not_scored_say_so() -> None:
    from tests.unit.domain.targets.test_milestones import PLAN

    projects = PLAN.by_id["startup-projects"]
    later = Assessment(TargetStatus.NOT_BEGUN, projects.milestones[0])
    assert explain(projects, unit("count"), later) == (
        "Giai đoạn 2036–2040 chưa bắt đầu: từ năm 2036, mỗi năm ≥ 30.",
        "The 2036–2040 stage has not begun: from 2036, ≥ 30 a year.",
    )
    experts = PLAN.by_id["world-experts-attracted"]
    shown = Assessment(TargetStatus.NOT_SCORED, experts.milestones[0])
    assert explain(experts, unit("yes/no"), shown) == (
        "Chỉ tiêu không có thước đo: theo dõi, không chấm điểm (hạn 31/12/2045).",
        "A line with no measure: followed, not scored (deadline 31/12/2045).",
    )


def test_an_escalating_line_names_the_level_reached() -> None:
    from tests.unit.domain.targets.test_milestones import PLAN

    centre = PLAN.by_id["smart-operations-centre"]
    report = Observation(date(2037, 1, 1), date(2037, 12, 31), 1)
    a = Assessment(TargetStatus.ON_TRACK, centre.milestones[1], report, months_left=30.2)
    assert explain(centre, unit("level"), a) == (
        "Mới đạt mức 1/2 (báo cáo kỳ kết thúc 31/12/2037); còn 30 tháng đến hạn 31/12/2040.",
        "At level 1 of 2 (reported for 31/12/2037); 30 months left to the 31/12/2040 deadline.",
    )
