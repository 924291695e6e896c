"""The Decision 766 scorecard's groups, points and indicators (catalog/scorecard.yaml),
validated when loaded: the groups are the decision's six with its points (100 in all), each
group's indicators are derived indicators IOC computes and share exactly the group's points."""

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from catalog.indicators import derived_definitions

SCORECARD = Path(__file__).with_name("scorecard.yaml")
# The decision's six groups and their points, in its order.
DECREED = {
    "openness": 18,
    "timeliness": 20,
    "online": 12,
    "payment": 10,
    "satisfaction": 18,
    "digitisation": 22,
}


class ScorecardError(ValueError):
    """The scorecard file does not follow the decision or names an unknown indicator."""


class Group(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name_vi: str
    name_en: str
    points: float = Field(gt=0)
    indicators: dict[str, float] = Field(description="Derived indicator → its points.")

    @model_validator(mode="after")
    def _points_add_up(self) -> "Group":
        unknown = set(self.indicators) - set(derived_definitions())
        if unknown:
            raise ValueError(f"{self.code}: not derived indicators: {sorted(unknown)}")
        if self.indicators and abs(sum(self.indicators.values()) - self.points) > 1e-9:
            raise ValueError(f"{self.code}: its indicators' points do not add up to {self.points}")
        return self


def load_scorecard(path: Path = SCORECARD) -> tuple[Group, ...]:
    try:
        document = yaml.safe_load(path.read_text("utf-8"))
        groups = tuple(
            Group.model_validate({"code": code, **spec})
            for code, spec in document["groups"].items()
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValidationError) as e:
        raise ScorecardError(f"{path}: {e}") from e
    if {g.code: g.points for g in groups} != DECREED or [g.code for g in groups] != list(DECREED):
        raise ScorecardError(f"{path}: the groups must be Decision 766's six: {DECREED}")
    return groups


@cache
def scorecard() -> tuple[Group, ...]:
    return load_scorecard()
