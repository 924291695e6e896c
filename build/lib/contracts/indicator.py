"""Indicator value reported: the latest value of a reported indicator (DTI, 5G coverage,
digital economy share of GRDP …) for an org unit and a period."""

from typing import ClassVar, Literal

from pydantic import Field

from contracts.envelope import CloudEvent, Code, Payload
from contracts.topics import INDICATOR_REPORTS, Topic

PERIOD_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$"


class IndicatorReport(Payload):
    indicator_code: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    )
    org_unit_code: Code
    period: str = Field(
        pattern=PERIOD_PATTERN,
        description="The period the value is for: a year `2025`, a quarter `2025-Q3` "
        "or a month `2025-07`.",
    )
    value: float = Field(allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=32, description="e.g. %, index, count, VND bn.")
    source_document: str | None = Field(
        default=None, max_length=256, description="e.g. Báo cáo số 123/BC-SKHCN."
    )
    agency_code: Code | None = None


class IndicatorValueReported(CloudEvent):
    """An agency reported an indicator's value for an org unit and period."""

    topic: ClassVar[Topic] = INDICATOR_REPORTS
    type: Literal["vn.ioc.indicator.value-reported.v1"]
    data: IndicatorReport

    def partition_key(self) -> str:
        d = self.data
        return f"{d.indicator_code}|{d.org_unit_code}|{d.period}"
