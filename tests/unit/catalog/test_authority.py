"""What each agency may write, derived from the province's data and its plans."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog import ReferenceDataError, load_province
from catalog.authority import of_province
from contracts import parse_event
from simulator.province import ProvinceYear

EXAMPLES = Path(__file__).resolve().parents[3] / "contracts/examples/valid"
AUTHORITIES = of_province("quang-ngai")


def event(name: str, **data: Any) -> Any:
    document = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))
    return parse_event(document | {"data": document["data"] | data})


def refusal(agency: str, name: str, **data: Any) -> tuple[str, str] | None:
    found = AUTHORITIES[agency].refusal(event(name, **data))
    return (found.field, found.reason) if found else None


def test_a_department_acts_for_itself_at_every_unit() -> None:
    assert refusal("so-tu-phap", "dossier-result-returned") is None
    assert refusal("so-tu-phap", "dossier-result-returned", org_unit_code="ly-son") is None
    field, reason = refusal("so-tu-phap", "dossier-result-returned", agency_code="so-y-te") or (
        "",
        "",
    )
    assert field == "data.agency_code"
    assert "so-y-te" in reason


def test_a_commune_committee_acts_at_its_own_commune_only() -> None:
    assert refusal("ubnd.cam-thanh", "dossier-accepted-online") is None
    moved = refusal("ubnd.cam-thanh", "dossier-accepted-online", org_unit_code="nghia-lo")
    assert moved is not None
    assert moved[0] == "data.org_unit_code"


def test_the_province_systems_act_for_every_agency() -> None:
    for system in ("van-phong-ubnd-tinh", "trung-tam-phuc-vu-hcc"):
        assert AUTHORITIES[system].acts_for == frozenset(load_province("quang-ngai").agencies)
    assert refusal("van-phong-ubnd-tinh", "feedback-opened") is None


def test_unassigned_feedback_is_the_communes_and_needs_authority_for_it() -> None:
    # Without an agency code the commune's committee must answer it: a department may not
    # put that on a commune's count.
    assert refusal("so-tu-phap", "feedback-opened", agency_code=None) == (
        "data.agency_code",
        "agency 'so-tu-phap' may not publish feedback of 'ubnd.tinh-khe'",
    )
    assert refusal("ubnd.tinh-khe", "feedback-opened", agency_code=None) is None


def test_an_indicator_is_reported_by_the_agency_the_plan_makes_responsible() -> None:
    assert "DTI" in AUTHORITIES["so-khoa-hoc-cong-nghe"].indicators
    assert refusal("so-khoa-hoc-cong-nghe", "indicator-dti-yearly") is None
    assert refusal("so-tu-phap", "indicator-dti-yearly", agency_code="so-tu-phap") == (
        "data.indicator_code",
        "agency 'so-tu-phap' is not responsible for reporting 'DTI'",
    )
    # Derived indicators are counted from dossiers, never reported, whoever is responsible.
    assert "ONLINE_DOSSIERS" not in AUTHORITIES["trung-tam-phuc-vu-hcc"].indicators


def test_every_event_the_simulated_province_sends_is_within_its_agencys_authority() -> None:
    year = ProvinceYear(load_province("quang-ngai"), date(2026, 6, 30), scale=0.05)
    for raw in year.events():
        agency = raw["source"].split("/")[2]
        assert AUTHORITIES[agency].refusal(parse_event(raw)) is None, raw


def test_authority_naming_an_unknown_agency_or_unit_is_refused_at_load(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[3] / "catalog/provinces/quang-ngai"
    for field, value, message in (
        ("acts_for", ["so-ma"], "acts for unknown 'so-ma'"),
        ("serves", ["atlantis"], "serves unknown unit 'atlantis'"),
    ):
        folder = tmp_path / field / "quang-ngai"
        folder.mkdir(parents=True)
        for name in ("org_units.yaml", "procedures.yaml"):
            (folder / name).write_text((source / name).read_text("utf-8"), "utf-8")
        agencies = yaml.safe_load((source / "agencies.yaml").read_text("utf-8"))
        agencies["agencies"][0][field] = value
        (folder / "agencies.yaml").write_text(yaml.safe_dump(agencies, allow_unicode=True))
        with pytest.raises(ReferenceDataError, match=message):
            load_province("quang-ngai", tmp_path / field)
