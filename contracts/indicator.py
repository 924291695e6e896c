"""Indicator value reported: the latest value of a reported indicator (DTI, 5G coverage,
digital economy share of GRDP …) for an org unit and a period."""

from datetime import UTC, datetime
from typing import ClassVar, Literal

from pydantic import Field, StrictFloat, model_validator

from contracts.envelope import CloudEvent, Code, Payload, field_errors
from contracts.periods import PERIOD_PATTERN, period_bounds
from contracts.topics import INDICATOR_REPORTS, Topic
from contracts.values import EARLIEST, VIETNAM

# Larger than any count, amount (VND bn) or rate a province reports: a value beyond is a typo
# or an attack, and would overflow the forecasts' arithmetic.
LARGEST_VALUE = 1e15


class IndicatorReport(Payload):
    indicator_code: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    )
    org_unit_code: Code
    period: str = Field(
        pattern=PERIOD_PATTERN,
        description="The period the value is for: a year `2025`, a quarter `2025-Q3` "
        "or a month `2025-07`; from 2000, and begun (a period in the future has no figure).",
    )
    value: StrictFloat = Field(allow_inf_nan=False, ge=-LARGEST_VALUE, le=LARGEST_VALUE)
    unit: str = Field(min_length=1, max_length=32, description="e.g. %, index, count, VND bn.")
    source_document: str | None = Field(
        default=None, max_length=256, description="e.g. Báo cáo số 123/BC-SKHCN."
    )
    agency_code: Code | None = None

    @model_validator(mode="after")
    def _period_begun(self) -> "IndicatorReport":
        first = period_bounds(self.period)[0]
        if first < EARLIEST.date():
            raise field_errors(self, [("period", "must not be before 2000")])
        if first > datetime.now(UTC).astimezone(VIETNAM).date():
            raise field_errors(self, [("period", "has not begun: no figure can be reported")])
        return self


class IndicatorValueReported(CloudEvent):
    """An agency reported an indicator's value for an org unit and period."""

    topic: ClassVar[Topic] = INDICATOR_REPORTS
    type: Literal["vn.ioc.indicator.value-reported.v1"]
    data: IndicatorReport

    def partition_key(self) -> str:
        d = self.data
        return f"{d.indicator_code}|{d.org_unit_code}|{d.period}"  # the unit, not a KPI scope
