"""Plan catalogs: a plan's indicators and targets as data (catalog/plans/<id>.yaml), validated
when loaded. Errors stop the load; inconsistencies in the plan itself (plan_checks.py) are kept
beside it, with the lines they come from, and shown to its readers."""

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
    publication_lag_days: int = Field(
        default=0,
        ge=0,
        le=730,
        description="How long after its period the official figure is published (DTI for a "
        "year comes out mid-next-year); a period's verdict waits for it.",
    )
    per_10k_of: str | None = Field(
        default=None, description="The absolute count this per-10,000 figure is a rate of."
    )

    @property
    def bounds(self) -> tuple[float, float | None]:
        """The values the indicator can take: a share stays within 0–100, an index within 0–1."""
        return {
            "%": (0.0, 100.0),
            "index": (0.0, 1.0),
            "yes/no": (0.0, 1.0),
            "level": (0.0, 9.0),
        }.get(self.unit, (0.0, None))


class Milestone(_Frozen):
    deadline: date
    value: float | None = Field(default=None, description="Target value; None for yes/no.")
    upper: float | None = Field(default=None, description="Upper bound of a band.")
    aspiration: float | None = Field(
        default=None, description="A range's upper end read as where the plan hopes to be."
    )
    stage: tuple[int, int] = Field(
        default=(0, 0),
        description="The years its line binds (a per-year line: each of them); (0, 0): the "
        "years after the line before it.",
    )
    level: int = Field(
        default=1, ge=1, description="Yes/no: the degree of attainment it asks for (1, 2, …)."
    )
    scored: bool = Field(default=True, description="False: shown, not judged (no measure).")
    reading: str | None = Field(default=None, description="How the line is read, and why.")
    section: str
    text_vi: str = Field(description="The plan's line, verbatim.")

    @property
    def year(self) -> int:
        """The period it is judged on: the year of its deadline."""
        return self.deadline.year


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
    reading: str | None = Field(default=None, description="How its kind is read, and why.")

    @property
    def scored(self) -> bool:
        return any(m.scored for m in self.milestones)

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


class PlanNote(_Frozen):
    """An inconsistency of the plan with itself (catalog/plan_checks.py), with its lines."""

    rule: str
    targets: tuple[str, ...]
    text_vi: str
    text_en: str
    lines: tuple[str, ...] = Field(description="Each line it comes from: section (year): «text».")


class Plan(_Frozen):
    id: str
    name_vi: str
    name_en: str
    document: str
    issuer: str
    province: str
    notes: tuple[str, ...] = Field(default=(), description="The plan's scope and sizing.")
    indicators: dict[str, Indicator]
    targets: tuple[Target, ...]
    inconsistencies: tuple[PlanNote, ...] = ()

    @cached_property
    def by_id(self) -> dict[str, Target]:
        return {t.id: t for t in self.targets}

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(note.text_en for note in self.inconsistencies)

    def notes_for(self, target_id: str) -> tuple[PlanNote, ...]:
        return tuple(n for n in self.inconsistencies if target_id in n.targets)


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

    found = inconsistencies(plan, _population(plan.province))
    return plan.model_copy(update={"inconsistencies": tuple(found)})


def _population(province: str) -> int | None:
    """The province's population, for the rules that need it (a per-10,000 figure)."""
    from catalog.reference import ReferenceDataError, load_province

    try:
        return load_province(province).root.population
    except (ReferenceDataError, OSError):
        return None


def _expand(document: Any, path: Path) -> dict[str, Any]:
    """The file's compact form (indicators keyed by code, milestones keyed by year) → models."""
    if not isinstance(document, dict) or not isinstance(document.get("plan"), dict):
        raise PlanError(f"{path}: expected a `plan:` mapping, `indicators:` and `targets:`")
    header = document["plan"]
    scope = header.get("scope", header.get("province"))
    # A stage's last year → its first: "2026-2030" lines bind each year from 2026 to 2030.
    stages = {int(last): int(first) for last, first in (header.get("stages") or {}).items()}
    indicators = {
        code: {"code": code, **_named(code, fields, path)}
        for code, fields in (document.get("indicators") or {}).items()
    }
    targets = [_expand_target(t, scope, stages) for t in document.get("targets") or []]
    fields = {k: v for k, v in header.items() if k not in ("scope", "stages")}
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


def _expand_target(target: dict[str, Any], scope: str, stages: dict[int, int]) -> dict[str, Any]:
    milestones = []
    for year, spec in (target.get("milestones") or {}).items():
        value = spec.get("value")
        low, high = value if isinstance(value, list) else (value, None)
        floor = spec.get("floor", False)  # "80% - 90%": a floor, its top an aspiration
        milestones.append(
            {
                "deadline": date(int(year), 12, 31),
                "value": low,
                "upper": None if floor else high,
                "aspiration": high if floor else None,
                "stage": (stages[int(year)], int(year)) if int(year) in stages else (0, 0),
                "level": spec.get("level", 1),
                "scored": spec.get("scored", True),
                "reading": spec.get("reading"),
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
