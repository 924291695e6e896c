"""The province's reference data (org units, agencies, procedures), loaded from YAML files in
catalog/provinces/<province>/ and checked for consistency when loaded."""

from collections.abc import Iterator
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from contracts.dossier import OnlineLevel
from contracts.envelope import Code

PROVINCES_DIR = Path(__file__).parent / "provinces"
COMMUNE = "commune"  # `handled_by` value: every commune-level People's Committee
ANY_AGENCY = "*"  # `acts_for` value: every agency of the province


def committee_of(org_unit_code: str) -> str:
    """The agency code of a commune-level unit's People's Committee (UBND): `ubnd.<unit>`."""
    return f"ubnd.{org_unit_code}"


class ReferenceDataError(ValueError):
    """A reference data file is missing, malformed or inconsistent; the message says where."""


class OrgUnitLevel(StrEnum):
    PROVINCE = "province"
    WARD = "ward"
    COMMUNE = "commune"
    SPECIAL_ZONE = "special_zone"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Code
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)


R = TypeVar("R", bound=_Record)


class OrgUnit(_Record):
    level: OrgUnitLevel
    parent: Code | None = None
    official_code: str | None = None
    population: PositiveInt | None = None


class Agency(_Record):
    org_unit: Code | None = Field(default=None, description="Set for a commune People's Committee.")
    # Its authority beyond its own (catalog/authority.py): the agencies whose dossiers and
    # feedback its systems publish ("*": all), the org units it serves (default: the province
    # for a department, its commune for a People's Committee), indicators it also reports.
    acts_for: tuple[str, ...] = ()
    serves: tuple[Code, ...] = ()
    reports: tuple[str, ...] = ()


class Procedure(_Record):
    handled_by: str
    online_level: OnlineLevel
    processing_days: PositiveInt
    fee_charged: bool
    # Whether it issues a result (a certificate, a licence): Decision 766's online, electronic
    # result and digitisation rates ask for the result only where one is issued.
    issues_result: bool = True


class Province(BaseModel):
    """Validated reference data of one province; org units form a tree of any depth."""

    model_config = ConfigDict(frozen=True)

    code: str
    org_units: dict[str, OrgUnit]
    agencies: dict[str, Agency]
    procedures: dict[str, Procedure]

    @cached_property
    def root(self) -> OrgUnit:
        return next(u for u in self.org_units.values() if u.parent is None)

    def ancestors(self, org_unit_code: str) -> Iterator[OrgUnit]:
        """The unit itself, then its parent, up to the province: the roll-up path of a KPI."""
        unit: OrgUnit | None = self.org_units[org_unit_code]
        while unit is not None:
            yield unit
            unit = self.org_units[unit.parent] if unit.parent else None

    def children(self, org_unit_code: str) -> list[OrgUnit]:
        return [u for u in self.org_units.values() if u.parent == org_unit_code]

    def subtree(self, org_unit_code: str) -> list[str]:
        """The unit and every unit under it, at any depth."""
        found, waiting = [], [org_unit_code]
        while waiting:
            code = waiting.pop()
            found.append(code)
            waiting += [u.code for u in self.children(code)]
        return found

    def agencies_handling(self, procedure: Procedure) -> list[Agency]:
        if procedure.handled_by == COMMUNE:
            return [a for a in self.agencies.values() if a.org_unit is not None]
        return [self.agencies[procedure.handled_by]]


def available_provinces() -> list[str]:
    return sorted(p.name for p in PROVINCES_DIR.iterdir() if (p / "org_units.yaml").exists())


def load_province(code: str, directory: Path = PROVINCES_DIR) -> Province:
    folder = directory / code
    org_units = _unique(OrgUnit, _read(folder / "org_units.yaml", code, "org_units"))
    agencies = _unique(Agency, _read(folder / "agencies.yaml", code, "agencies"))
    agencies.update(_people_committees(org_units))
    procedures = _unique(Procedure, _read(folder / "procedures.yaml", code, "procedures"))
    _check_tree(org_units)
    for p in procedures.values():
        if p.handled_by != COMMUNE and p.handled_by not in agencies:
            raise ReferenceDataError(f"procedure {p.code}: unknown agency {p.handled_by!r}")
    _check_authority(agencies, org_units)
    return Province(code=code, org_units=org_units, agencies=agencies, procedures=procedures)


def _read(path: Path, province: str, key: str) -> list[dict[str, Any]]:
    try:
        document = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ReferenceDataError(f"{path}: {e}") from e
    if not isinstance(document, dict) or document.get("province") != province:
        raise ReferenceDataError(f"{path}: expected a mapping with `province: {province}`")
    rows = document.get(key)
    if not isinstance(rows, list):
        raise ReferenceDataError(f"{path}: expected a list under `{key}`")
    return [dict(row, _file=str(path)) for row in rows]


def _unique(model: type[R], rows: list[dict[str, Any]]) -> dict[str, R]:
    records: dict[str, R] = {}
    for row in rows:
        where = f"{row.pop('_file')}: {row.get('code', '?')}"
        try:
            record = model.model_validate(row)
        except ValueError as e:
            raise ReferenceDataError(f"{where}: {e}") from e
        if record.code in records:
            raise ReferenceDataError(f"{where}: duplicate code")
        records[record.code] = record
    return records


def _people_committees(org_units: dict[str, OrgUnit]) -> dict[str, Agency]:
    communes = (u for u in org_units.values() if u.level != OrgUnitLevel.PROVINCE)
    return {
        committee_of(u.code): Agency(
            code=committee_of(u.code),
            name_vi=f"UBND {u.name_vi}",
            name_en=f"People's Committee of {u.name_en}",
            org_unit=u.code,
        )
        for u in communes
    }


def _check_authority(agencies: dict[str, Agency], org_units: dict[str, OrgUnit]) -> None:
    for agency in agencies.values():
        for other in agency.acts_for:
            if other != ANY_AGENCY and other not in agencies:
                raise ReferenceDataError(f"agency {agency.code}: acts for unknown {other!r}")
        for unit in agency.serves:
            if unit not in org_units:
                raise ReferenceDataError(f"agency {agency.code}: serves unknown unit {unit!r}")


def _check_tree(org_units: dict[str, OrgUnit]) -> None:
    roots = [u.code for u in org_units.values() if u.parent is None]
    if len(roots) != 1:
        raise ReferenceDataError(f"org units need exactly one root (the province), found {roots}")
    for unit in org_units.values():
        seen = {unit.code}
        parent = unit.parent
        while parent is not None:
            if parent not in org_units:
                raise ReferenceDataError(f"org unit {unit.code}: unknown parent {parent!r}")
            if parent in seen:
                raise ReferenceDataError(f"org unit {unit.code}: its parents form a cycle")
            seen.add(parent)
            parent = org_units[parent].parent
