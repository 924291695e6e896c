"""The plan catalog: the Quảng Ngãi plan transcribed line for line, and the loader's checks."""

import json
import re
from datetime import date
from pathlib import Path

import pytest

from catalog.plans import Comparator, PlanError, TargetKind, available_plans, load_plan
from ioc.cli import main as ioc

ROOT = Path(__file__).resolve().parents[3]
SOURCES = ROOT / "catalog" / "plans" / "sources"
SEED = SOURCES / "quang-ngai-359-KH-TU.txt"
PLAN = "quang-ngai-359"


def seed_target_lines() -> list[str]:
    assert SEED.exists(), (
        f"the plan's source text is expected at {SEED} (../shared beside the repo)"
    )
    lines = SEED.read_text("utf-8").splitlines()
    start = lines.index("2. Mục tiêu cụ thể")
    end = next(i for i, line in enumerate(lines) if line.startswith("III."))
    return [line[2:].strip() for line in lines[start:end] if line.startswith("- ")]


def quoted_lines() -> list[str]:
    return [m.text_vi for t in load_plan(PLAN).targets for m in t.milestones]


def test_every_target_line_of_section_ii_2_is_in_the_catalog() -> None:
    missing = set(seed_target_lines()) - set(quoted_lines())
    assert not missing, f"lines of the plan with no target: {sorted(missing)}"


def test_every_quoted_line_is_in_the_plan() -> None:
    assert set(quoted_lines()) <= set(seed_target_lines())


def test_all_five_milestone_years_are_present() -> None:
    years = {m.deadline.year for t in load_plan(PLAN).targets for m in t.milestones}
    assert years == {2025, 2030, 2035, 2040, 2045}


@pytest.mark.parametrize(
    ("target", "year", "comparator", "value", "in_text"),
    [
        ("coverage-5g", 2025, ">=", 50, "≥ 50%"),
        ("dti", 2025, ">=", 0.60, "≥ 0,60"),
        ("dti", 2030, ">=", 0.75, "≥ 0,75"),
        ("dti", 2045, ">=", 1.0, "đạt 1,0"),
        ("online-dossiers", 2025, ">=", 70, "≥ 70% hồ sơ thủ tục hành chính xử lý trực tuyến"),
        ("online-dossiers", 2030, ">=", 85, "≥ 85%"),
        ("digital-economy-grdp", 2025, ">=", 7, "Quy mô kinh tế số đạt 7% GRDP"),
        ("digital-economy-grdp", 2035, ">=", 40, "40% GRDP"),
        ("budget-share-sti", 2025, ">=", 1.0, "≥ 1,0% tổng chi ngân sách"),
        ("grdp-share-sti-dx", 2025, ">=", 2, "đạt 2% GRDP"),
        ("vneid-accounts", 2030, ">=", 80, "≥ 80% người dân có tài khoản định danh"),
        ("digital-signatures", 2030, ">=", 10, "chữ ký số ≥ 10%"),
        ("sci-tech-researchers", 2045, ">=", 1000, "≥ 1.000 cán bộ"),
        ("researchers-per-10k", 2025, ">=", 7, "từ 07 người"),
        ("startup-projects", 2040, ">=", 30, "30 đến 40 dự án"),  # a floor: 40 the aspiration
        ("ip-applications", 2030, ">=", 5, "Mỗi năm có ≥ 5 đơn"),
    ],
)
def test_target_matches_the_plan_text(
    target: str, year: int, comparator: str, value: float | tuple[float, float], in_text: str
) -> None:
    found = load_plan(PLAN).by_id[target]
    [milestone] = [m for m in found.milestones if m.deadline == date(year, 12, 31)]
    assert found.comparator.value == comparator
    expected = value if isinstance(value, tuple) else (value, None)
    assert (milestone.value, milestone.upper) == pytest.approx(expected)
    assert in_text in milestone.text_vi
    assert re.match(r"II\.2\.[1-5]\.[a-e]$", milestone.section)


def test_kinds_follow_the_wording() -> None:
    plan = load_plan(PLAN)
    assert plan.by_id["innovation-products-commercialised"].kind is TargetKind.PER_YEAR
    assert plan.by_id["innovative-startups"].kind is TargetKind.LEVEL  # a stock: it can fall
    assert plan.by_id["researchers-per-10k"].kind is TargetKind.PER_10K
    centre = plan.by_id["smart-operations-centre"]
    assert centre.kind is TargetKind.MILESTONE
    assert [m.deadline.year for m in centre.milestones] == [2035, 2040, 2045]
    adults = plan.by_id["adults-regular-digital-services"]  # «80% - 90%»: a floor, 90 hoped for
    assert (adults.comparator, adults.milestones[0].aspiration) == (Comparator.AT_LEAST, 90)


def test_compound_lines_are_split_into_targets() -> None:
    plan = load_plan(PLAN)
    budget = plan.by_id["budget-share-sti"].milestones[0]
    grdp = plan.by_id["grdp-share-sti-dx"].milestones[0]
    assert budget.text_vi == grdp.text_vi
    assert (budget.value, grdp.value) == (1.0, 2.0)


def test_the_plans_own_inconsistencies_are_kept_with_their_targets() -> None:
    plan = load_plan(PLAN)
    [vneid] = [n for n in plan.notes_for("vneid-accounts") if n.rule == "falls_back"]
    assert vneid.text_en.endswith(": 2030 asks 80, less than 85 in 2025")
    assert any("2040: several values [50, 70]" in w for w in plan.warnings)


def test_available_plans_lists_the_catalog() -> None:
    assert PLAN in available_plans()


def test_cli_lists_the_whole_plan_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert ioc(["targets", "--plan", PLAN, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(load_plan(PLAN).targets)
    dti = next(r for r in rows if r["id"] == "dti")
    assert set(dti) == {
        "id",
        "indicator",
        "name_vi",
        "name_en",
        "unit",
        "comparator",
        "kind",
        "milestones",
    }
    assert dti["milestones"][0] == {"deadline": "2025-12-31", "value": 0.6}
    online = next(r for r in rows if r["id"] == "online-dossiers")
    assert online["milestones"][0]["value"] == 70
    projects = next(r for r in rows if r["id"] == "startup-projects")["milestones"][0]
    assert (projects["value"], projects["aspiration"]) == (30, 40)
    assert (
        next(r for r in rows if r["id"] == "cybersecurity-centre")["milestones"][0]["value"] is True
    )


MINIMAL = """
plan: {id: test, name_vi: Kế hoạch, name_en: Plan, document: 1/KH, issuer: Tỉnh,
       province: quang-ngai}
indicators:
  DTI: {name_vi: Chỉ số, name_en: Index, unit: index, source: reported}
targets:
  - id: dti
    indicator: DTI
    group: digital_transformation
    comparator: ">="
    kind: level
    milestones:
      2025: {value: 0.6, section: II.2.1.e, text: "Chỉ số ≥ 0,60."}
      2030: {value: 0.75, section: II.2.2.e, text: "Chỉ số ≥ 0,75."}
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "test.yaml").write_text(text, "utf-8")
    return tmp_path


def test_a_minimal_plan_loads_without_warnings(tmp_path: Path) -> None:
    plan = load_plan("test", write(tmp_path, MINIMAL))
    assert plan.warnings == ()
    assert plan.targets[0].scope == "quang-ngai"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("indicator: DTI\n    group", "indicator: NOPE\n    group"), "unknown indicator 'NOPE'"),
        (('comparator: ">="', 'comparator: "~"'), "targets.0.comparator"),
        (("value: 0.75,", "value: [0.7, 0.8],"), "`upper` goes with the range comparator only"),
        (("kind: level", "kind: milestone"), "a yes/no milestone has no value"),
        (("unit: index, ", ""), "indicators.DTI.unit: Field required"),
        (("2030: {", "2020: {"), "milestones must be in deadline order"),
        (("plan: {id", "plan_: {id"), "expected a `plan:` mapping"),
        (("value: 0.6,", "value: [0.6,"), "while parsing"),
    ],
)
def test_loader_errors_say_where(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(PlanError, match=re.escape(message)):
        load_plan("test", write(tmp_path, MINIMAL.replace(*change)))


def test_duplicate_target_ids_are_refused(tmp_path: Path) -> None:
    target = MINIMAL[MINIMAL.index("  - id: dti") :]
    with pytest.raises(PlanError, match="target dti: duplicate id"):
        load_plan("test", write(tmp_path, MINIMAL + target))


def test_a_lower_later_milestone_is_a_warning(tmp_path: Path) -> None:
    plan = load_plan("test", write(tmp_path, MINIMAL.replace("value: 0.75", "value: 0.5")))
    assert plan.warnings == ("Index: 2030 asks 0.5, less than 0.6 in 2025",)


def test_the_quang_tri_plan_quotes_its_documents() -> None:
    documents = " ".join(
        (SOURCES / name).read_text("utf-8")
        for name in (
            "quang-tri-nghi-quyet-chuyen-doi-so-2021.txt",
            "quang-tri-ke-hoach-57-NQ-TW.txt",
        )
    )
    plan = load_plan("quang-tri")
    assert all(m.text_vi in documents for t in plan.targets for m in t.milestones)
    assert plan.by_id["dti"].milestones[0].value == 0.6
    assert [m.value for m in plan.by_id["digital-economy-grdp"].milestones] == [20, 30]
    assert plan.warnings == (
        "Digital economy share of GRDP 2025: several values [15, 20] in different lines",
    )
