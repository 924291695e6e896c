"""Derived indicator definitions (catalog/indicators.yaml): which events count, when, and how."""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFINITIONS = Path(__file__).with_name("indicators.yaml")

Criteria = Mapping[str, Any]  # field or fact -> required value, or list of allowed values


@dataclass(frozen=True)
class DerivedIndicator:
    code: str
    name_vi: str
    name_en: str
    event: str
    date: str
    trigger: Criteria
    denominator: Criteria
    numerator: Criteria
    factor: float = 100.0
    # Where the numerator is known only at a later event (a result digitised when returned):
    # the denominator counts at `trigger`, the numerator at this one, both in `date`'s period.
    numerator_trigger: Criteria | None = None


def load_definitions(path: Path = DEFINITIONS) -> tuple[DerivedIndicator, ...]:
    document = yaml.safe_load(path.read_text("utf-8"))
    return tuple(
        DerivedIndicator(
            code=code,
            name_vi=spec["name_vi"],
            name_en=spec["name_en"],
            event=spec["event"],
            date=spec["date"],
            trigger=spec.get("trigger", {}),
            denominator=spec.get("denominator", {}),
            numerator=spec["numerator"],
            factor=float(spec.get("factor", 100)),
            numerator_trigger=spec.get("numerator_trigger"),
        )
        for code, spec in document["indicators"].items()
    )


@cache
def derived_definitions() -> dict[str, DerivedIndicator]:
    """The definitions by code, read once."""
    return {d.code: d for d in load_definitions()}
