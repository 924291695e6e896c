"""The departments' periodic indicator reports the simulated province sends: each indicator's
value at its first period and its change per period, some on course for their targets, some
drifting off, one that stops (a stale-data alert)."""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.calendar import VIETNAM


@dataclass(frozen=True)
class DepartmentReport:
    """A department's periodic report: value at the first period, change per period."""

    indicator: str
    unit: str
    agency: str
    every: str  # "quarter" or "year"
    start: float
    step: float
    stops_after: date | None = None  # the department stops reporting (a stale-data alert)
    published_after: int = 0  # days after the period before its figure exists (DTI: July)
    backlog_years: int = 0  # years of reports from before the window, sent as they were then


REPORTS = (
    DepartmentReport("COVERAGE_5G", "%", "so-khoa-hoc-cong-nghe", "quarter", 38.0, 4.0),
    DepartmentReport("BROADBAND_1GBPS_USERS", "%", "so-khoa-hoc-cong-nghe", "quarter", 31.0, 0.4),
    DepartmentReport("COMMUNE_OFFICIALS_DIGITAL_SKILLS", "%", "so-noi-vu", "quarter", 62.0, 2.5),
    DepartmentReport(
        "ADULTS_DIGITAL_SERVICES_ACCESS", "%", "so-khoa-hoc-cong-nghe", "quarter", 58.0, 1.0
    ),
    DepartmentReport(
        "SCI_TECH_RESULTS_APPLIED",
        "%",
        "so-khoa-hoc-cong-nghe",
        "quarter",
        35.0,
        0.5,
        stops_after=date(2026, 3, 31),
    ),
    # DTI rises 0.525 (2023), 0.565, 0.605 (2025: its target met, published in July 2026).
    DepartmentReport(
        "DTI",
        "index",
        "so-khoa-hoc-cong-nghe",
        "year",
        0.525,
        0.04,
        published_after=200,
        backlog_years=2,
    ),
)


def department_reports(
    rng: random.Random, first: date, until: date
) -> Iterator[tuple[DepartmentReport, str, datetime, float]]:
    """(report, period, when it is sent, value) for each period sent in the window: ten days
    after the period (or after its figure is published), at 09:00."""
    for report in REPORTS:
        lag = timedelta(days=report.published_after)
        since = first - lag - timedelta(days=365 * report.backlog_years)
        for k, (period, ends) in enumerate(_periods(report.every, since, until - lag)):
            if report.stops_after and ends > report.stops_after:
                break
            sent = datetime.combine(ends + lag + timedelta(days=10), time(9, 0), VIETNAM)
            if sent.date() > until:
                break
            noise = report.start * 0.01
            value = round(report.start + report.step * k + rng.uniform(-noise, noise), 4)
            yield report, period, sent, value


def _periods(every: str, first: date, until: date) -> list[tuple[str, date]]:
    found = []
    for year in range(first.year - 1, until.year + 1):
        if every == "year":
            found.append((str(year), date(year, 12, 31)))
            continue
        for q in range(1, 5):
            end_month = 3 * q
            end = date(year + end_month // 12, end_month % 12 + 1, 1) - timedelta(days=1)
            found.append((f"{year}-Q{q}", end))
    return [
        (p, e) for p, e in found if first <= e + timedelta(days=10) <= until + timedelta(days=1)
    ]
