from pathlib import Path

import pytest

from catalog import ReferenceDataError, available_provinces, load_province
from catalog.reference import PROVINCES_DIR


def test_demo_province_loads_with_a_single_root() -> None:
    province = load_province("quang-ngai")
    assert province.root.code == "quang-ngai"
    assert province.root.official_code == "51"
    assert len(province.org_units) > 20


def test_roll_up_path_goes_from_commune_to_province() -> None:
    province = load_province("quang-ngai")
    assert [u.code for u in province.ancestors("cam-thanh")] == ["cam-thanh", "quang-ngai"]


def test_every_commune_level_unit_has_its_peoples_committee() -> None:
    province = load_province("quang-ngai")
    committee = province.agencies["ubnd.cam-thanh"]
    assert committee.org_unit == "cam-thanh"
    assert committee.name_vi == "UBND Phường Cẩm Thành"
    communes = province.children("quang-ngai")
    assert all(f"ubnd.{u.code}" in province.agencies for u in communes)


def test_commune_procedures_are_handled_by_every_committee() -> None:
    province = load_province("quang-ngai")
    birth = province.procedures["QNG-HT-001"]
    assert len(province.agencies_handling(birth)) == len(province.children("quang-ngai"))
    record = province.procedures["QNG-TP-001"]
    assert [a.code for a in province.agencies_handling(record)] == ["so-tu-phap"]


def test_available_provinces_lists_the_demo_province() -> None:
    assert "quang-ngai" in available_provinces()


def copy_province(tmp_path: Path) -> Path:
    target = tmp_path / "quang-ngai"
    target.mkdir()
    for source in (PROVINCES_DIR / "quang-ngai").glob("*.yaml"):
        (target / source.name).write_text(source.read_text("utf-8"), "utf-8")
    return target


def test_unknown_parent_is_reported(tmp_path: Path) -> None:
    folder = copy_province(tmp_path)
    path = folder / "org_units.yaml"
    path.write_text(path.read_text("utf-8").replace("parent: quang-ngai", "parent: nowhere", 1))
    with pytest.raises(ReferenceDataError, match="unknown parent 'nowhere'"):
        load_province("quang-ngai", tmp_path)


def test_duplicate_code_is_reported_with_its_file(tmp_path: Path) -> None:
    folder = copy_province(tmp_path)
    path = folder / "agencies.yaml"
    path.write_text(path.read_text("utf-8") + "  - {code: so-y-te, name_vi: X, name_en: X}\n")
    with pytest.raises(ReferenceDataError, match=r"agencies.yaml: so-y-te: duplicate code"):
        load_province("quang-ngai", tmp_path)


def test_procedure_of_unknown_agency_is_reported(tmp_path: Path) -> None:
    folder = copy_province(tmp_path)
    path = folder / "procedures.yaml"
    path.write_text(path.read_text("utf-8").replace("handled_by: so-tu-phap", "handled_by: so-x"))
    with pytest.raises(ReferenceDataError, match="unknown agency 'so-x'"):
        load_province("quang-ngai", tmp_path)


def test_a_file_of_another_province_is_refused(tmp_path: Path) -> None:
    folder = copy_province(tmp_path)
    path = folder / "org_units.yaml"
    path.write_text(path.read_text("utf-8").replace("province: quang-ngai", "province: ben-tre"))
    with pytest.raises(ReferenceDataError, match="expected a mapping with `province: quang-ngai`"):
        load_province("quang-ngai", tmp_path)
