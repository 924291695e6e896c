"""The KPI snapshot: the latest value of one indicator for one scope and period, as the
indicators service publishes it (compacted topic, keyed by indicator|scope|period)."""

from datetime import datetime
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from contracts.periods import PERIOD_PATTERN


class KpiKey(NamedTuple):
    """A KPI's identity: an indicator, a scope (`org:<unit>` or `agency:<agency>`) and a
    period. Its text form `indicator|scope|period` is the snapshot topic's record key, the
    state's row name and the API's; it is written and read here only."""

    indicator: str
    scope: str
    period: str

    def __str__(self) -> str:
        return kpi_key(*self)

    @classmethod
    def parse(cls, text: str) -> "KpiKey":
        indicator, scope, period = text.split("|")
        return cls(indicator, scope, period)

    @property
    def member(self) -> str:
        """The KPI within its indicator: `scope|period` (the indicator's index holds these)."""
        return f"{self.scope}|{self.period}"


def kpi_key(indicator: str, scope: str, period: str) -> str:
    """The text form of a KPI's key, built without a tuple where it is made per event."""
    return f"{indicator}|{scope}|{period}"


def indicator_of(key: str) -> str:
    return key.partition("|")[0]


def org_scope(org_unit: str) -> str:
    return f"org:{org_unit}"


def agency_scope(agency: str) -> str:
    return f"agency:{agency}"


class KpiSnapshot(BaseModel):
    """The latest value of one KPI: an indicator for a scope and period."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    indicator: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64)
    scope: str = Field(
        pattern=r"^(org|agency):[A-Za-z0-9][A-Za-z0-9._:/-]*$",
        max_length=80,
        description="`org:<org unit code>` or `agency:<agency code>`.",
    )
    period: str = Field(
        pattern=PERIOD_PATTERN, description="`2025-03`, `2025-Q1` or `2025` (the year to date)."
    )
    value: float | None = Field(
        allow_inf_nan=False,
        description="Numerator / denominator × factor, or the reported value.",
    )
    numerator: float = Field(allow_inf_nan=False)
    denominator: float = Field(allow_inf_nan=False)
    reported_at: datetime | None = None
    updated_at: datetime = Field(
        description="When the KPI last changed, by the state store's one clock: of two "
        "snapshots of a KPI (several workers publish), the later `updated_at` is the newer, "
        "whichever came last on the topic."
    )

    def key(self) -> str:
        return kpi_key(self.indicator, self.scope, self.period)
