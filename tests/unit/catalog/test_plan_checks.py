"""The rules over the catalog find the plan's own inconsistencies, each with its lines: checked
against Plan 359's text by hand (tests/unit/catalog/test_plans.py checks its transcription)."""

from catalog.plan_checks import inconsistencies
from catalog.plans import Plan, PlanNote, load_plan

PLAN = load_plan("quang-ngai-359")


def notes(rule: str, plan: Plan = PLAN) -> list[PlanNote]:
    return [n for n in plan.inconsistencies if n.rule == rule]


def test_a_later_line_lower_than_an_earlier_one_of_its_indicator_is_found_across_targets() -> None:
    found = {n.targets: n for n in notes("falls_back")}
    enterprises = found[("sci-tech-enterprises", "sci-tech-enterprises-incl-digital")]
    assert enterprises.text_vi == (
        "Số doanh nghiệp khoa học và công nghệ: năm 2045 yêu cầu 60, thấp hơn mức 70 của năm "
        "2040 (dòng khác)"
    )
    assert enterprises.lines == (
        "II.2.4.c (2040): «Có ≥ 70 doanh nghiệp khoa học và công nghệ, trong số đó có 10% doanh "
        "nghiệp công nghệ số nội địa vươn tầm khu vực, một số doanh nghiệp làm chủ công nghệ lõi.»",
        "II.2.5.c (2045): «Có ≥ 60 doanh nghiệp khoa học và công nghệ.»",
    )
    assert ("vneid-accounts",) in found  # 85% in 2025, then 80% in 2030


def test_two_values_for_one_deadline() -> None:
    [two] = notes("two_values")
    assert two.text_en == (
        "Science and technology enterprises 2040: several values [50, 70] in different lines"
    )


def test_a_share_over_two_denominators_is_found_in_the_clause_that_carries_it() -> None:
    # The 2035 line also names «người dân» for VNeID: the signature clause is the adults'.
    [mixed] = notes("mixed_denominator")
    assert mixed.targets == ("digital-signatures",)
    assert mixed.text_en.startswith(
        "Share of residents with a digital signature: a share of adults in 2035 but of all "
        "residents in 2030, 2040, 2045"
    )
    assert len(mixed.lines) == 4


def test_a_per_10k_figure_is_checked_against_the_count_with_the_provinces_population() -> None:
    [rate] = notes("per_10k_vs_count")
    # 7 × 2,161,700 / 10,000 = 1,513.19: about 1,513 people, against «≥ 300 cán bộ».
    assert "7 per 10,000 of 2,161,700 inhabitants is about 1,513 people, against 300" in (
        rate.text_en
    )
    assert rate.text_en.endswith("likewise in 2030, 2035, 2040, 2045")
    assert set(rate.targets) == {"researchers-per-10k", "sci-tech-researchers"}
    assert inconsistencies(PLAN, population=None) == [
        n for n in PLAN.inconsistencies if n.rule != "per_10k_vs_count"
    ]


def test_a_per_10k_figure_agreeing_with_its_count_is_no_note() -> None:
    # 300 researchers are 1.39 per 10,000 of 2,161,700: a plan asking 1.4 agrees.
    agreeing = PLAN.model_copy(
        update={
            "targets": tuple(
                t.model_copy(
                    update={
                        "milestones": tuple(
                            m.model_copy(update={"value": 1.4 if m.year == 2025 else m.value})
                            for m in t.milestones
                        )
                    }
                )
                if t.id == "researchers-per-10k"
                else t
                for t in PLAN.targets
            )
        }
    )
    [rate] = [n for n in inconsistencies(agreeing, 2_161_700) if n.rule == "per_10k_vs_count"]
    assert rate.text_en.startswith("Researchers and innovators per 10,000 inhabitants 2030:")


def test_a_target_counting_another_thing_from_one_line_to_the_next() -> None:
    [changed] = notes("counted_thing")
    assert changed.text_vi.endswith(
        "năm 2025 đếm «công trình», năm 2030 đếm «nhiệm vụ»: hai đối tượng khác nhau trong một "
        "chỉ tiêu"
    )


def test_a_share_more_than_tripling_between_milestones() -> None:
    [jump] = notes("steep_jump")
    assert jump.text_en == (
        "Digital economy share of GRDP: from 10% in 2030 to 40% in 2035, 4 times in 5 years "
        "(about 32% a year): to be checked"
    )
    assert jump.lines == (
        "II.2.2.e (2030): «Quy mô kinh tế số đạt 10% GRDP.»",
        "II.2.3.e (2035): «Quy mô kinh tế số đạt 40% GRDP.»",
    )


def test_the_plans_scope_and_sizing_are_stated() -> None:
    [note] = PLAN.notes
    assert "336-KH/TU" in note
    assert "before its merger with Kon Tum" in note
