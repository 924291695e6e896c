"""The KPI snapshot: the latest value of one indicator for one scope and period, as the
indicators service publishes it (compacted topic, keyed by indicator|scope|period)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from contracts.indicator import PERIOD_PATTERN


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
        return f"{self.indicator}|{self.scope}|{self.period}"
