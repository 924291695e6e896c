"""Plan catalogs: a plan's indicators and targets as data (catalog/plans/<id>.yaml), validated
when loaded. Errors stop the load; inconsistencies in the plan itself (a milestone lower than the
one before for a "≥" target, two values for one deadline) are kept as warnings, not hidden."""

from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from catalog.indicators import derived_definitions

PLANS_DIR = Path(__file__).parent / "plans"
Code = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9_]*$")]


class PlanError(ValueError):
    """A plan file is missing, malformed or inconsistent with itself; the message says where."""


class Comparator(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="
    EQUAL = "="
    RANGE = "range"


class TargetKind(StrEnum):
    LEVEL = "level"  # a value at the deadline: a rate, an index, a coverage
    CUMULATIVE = "cumulative"  # a count that accumulates: enterprises, incubators, researchers
    PER_YEAR = "per_year"  # "mỗi năm ≥ N": every year of the milestone's period
    PER_10K = "per_10k"  # per 10,000 inhabitants
    MILESTONE = "milestone"  # yes/no: done by the deadline or not


class Source(StrEnum):
    DERIVED = "derived"  # computed from events (dossiers, feedback)
    REPORTED = "reported"  # reported by the responsible agency for a period


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Indicator(_Frozen):
    code: Code
    name_vi: str
    name_en: str
    unit: str = Field(description="%, index, count, per 10,000 inhabitants, yes/no …")
    source: Source
    agency: str | None = Field(default=None, description="Responsible agency (reference data).")

    @property
    def bounds(self) -> tuple[float, float | None]:
        """The values the indicator can take: a share stays within 0–100, an index within 0–1."""
        return {"%": (0.0, 100.0), "index": (0.0, 1.0), "yes/no": (0.0, 1.0)}.get(
            self.unit, (0.0, None)
        )


class Milestone(_Frozen):
    deadline: date
    value: float | None = Field(default=None, description="Target value; None for yes/no.")
    upper: float | None = Field(default=None, description="Upper bound of a range.")
    section: str
    text_vi: str = Field(description="The plan's line, verbatim.")


class Group(StrEnum):
    """The plan's groups of targets, in the plan's order."""

    INFRASTRUCTURE = "infrastructure"
    RESOURCES = "resources"
    SCIENCE_TECHNOLOGY = "science_technology"
    INNOVATION = "innovation"
    DIGITAL_TRANSFORMATION = "digital_transformation"


GROUP_NAMES = {
    Group.INFRASTRUCTURE: ("Hạ tầng", "Infrastructure"),
    Group.RESOURCES: ("Nguồn lực", "Resources"),
    Group.SCIENCE_TECHNOLOGY: ("Khoa học và công nghệ", "Science and technology"),
    Group.INNOVATION: ("Đổi mới sáng tạo", "Innovation"),
    Group.DIGITAL_TRANSFORMATION: ("Chuyển đổi số", "Digital transformation"),
}


class Target(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    indicator: str
    group: Group
    scope: str = Field(description="Org unit the target applies to.")
    comparator: Comparator
    kind: TargetKind
    milestones: tuple[Milestone, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _values_fit_the_comparator(self) -> "Target":
        for m in self.milestones:
            if self.kind is TargetKind.MILESTONE:
                if m.value is not None or m.upper is not None:
                    raise ValueError(f"{m.deadline}: a yes/no milestone has no value")
            elif m.value is None:
                raise ValueError(f"{m.deadline}: a value is required")
            elif (self.comparator is Comparator.RANGE) != (m.upper is not None):
                raise ValueError(f"{m.deadline}: `upper` goes with the range comparator only")
            elif m.upper is not None and m.upper < m.value:
                raise ValueError(f"{m.deadline}: upper {m.upper} below value {m.value}")
        deadlines = [m.deadline for m in self.milestones]
        if deadlines != sorted(deadlines):
            raise ValueError("milestones must be in deadline order")
        return self


class Plan(_Frozen):
    id: str
    name_vi: str
    name_en: str
    document: str
    issuer: str
    province: str
    indicators: dict[str, Indicator]
    targets: tuple[Target, ...]
    warnings: tuple[str, ...] = ()

    @cached_property
    def by_id(self) -> dict[str, Target]:
        return {t.id: t for t in self.targets}


def available_plans(directory: Path = PLANS_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml"))


def plans_of(province: str, directory: Path = PLANS_DIR) -> list[Plan]:
    """The plans attached to a province."""
    plans = (load_plan(plan_id, directory) for plan_id in available_plans(directory))
    return [plan for plan in plans if plan.province == province]


def load_plan(plan_id: str, directory: Path = PLANS_DIR) -> Plan:
    path = directory / f"{plan_id}.yaml"
    try:
        document = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise PlanError(f"{path}: {e}") from e
    try:
        plan = Plan.model_validate(_expand(document, path))
    except ValidationError as e:
        raise PlanError(f"{path}: {_first_error(e)}") from e
    _check_references(plan, path)
    from catalog.plan_checks import inconsistencies  # its rules read this module's models

    return plan.model_copy(update={"warnings": tuple(inconsistencies(plan))})


def _expand(document: Any, path: Path) -> dict[str, Any]:
    """The file's compact form (indicators keyed by code, milestones keyed by year) → models."""
    if not isinstance(document, dict) or not isinstance(document.get("plan"), dict):
        raise PlanError(f"{path}: expected a `plan:` mapping, `indicators:` and `targets:`")
    header = document["plan"]
    scope = header.get("scope", header.get("province"))
    indicators = {
        code: {"code": code, **_named(code, fields, path)}
        for code, fields in (document.get("indicators") or {}).items()
    }
    targets = [_expand_target(t, scope) for t in document.get("targets") or []]
    fields = {k: v for k, v in header.items() if k != "scope"}
    return {**fields, "indicators": indicators, "targets": targets}


def _named(code: str, fields: dict[str, Any], path: Path) -> dict[str, Any]:
    """A derived indicator's names come from its definition (declared once, there)."""
    if fields.get("source") != Source.DERIVED:
        return fields
    if "name_vi" in fields or "name_en" in fields:
        raise PlanError(f"{path}: {code}: a derived indicator is named in catalog/indicators.yaml")
    definition = derived_definitions().get(code)
    if definition is None:
        raise PlanError(f"{path}: {code}: no such derived indicator in catalog/indicators.yaml")
    return {"name_vi": definition.name_vi, "name_en": definition.name_en, **fields}


def _expand_target(target: dict[str, Any], scope: str) -> dict[str, Any]:
    milestones = []
    for year, spec in (target.get("milestones") or {}).items():
        value = spec.get("value")
        low, high = value if isinstance(value, list) else (value, None)
        milestones.append(
            {
                "deadline": date(int(year), 12, 31),
                "value": low,
                "upper": high,
                "section": spec.get("section"),
                "text_vi": spec.get("text"),
            }
        )
    return {"scope": scope, **target, "milestones": milestones}


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']} ({error.error_count()} error(s))"


def _check_references(plan: Plan, path: Path) -> None:
    seen: set[str] = set()
    for target in plan.targets:
        if target.id in seen:
            raise PlanError(f"{path}: target {target.id}: duplicate id")
        seen.add(target.id)
        if target.indicator not in plan.indicators:
            raise PlanError(f"{path}: target {target.id}: unknown indicator {target.indicator!r}")
