"""From what the evaluator sees to conditions: a target's assessment gives a target-risk and a
stale-data condition; the open SLA items give one overdue condition per agency (an operator
wants "12 dossiers overdue at the Department of Justice", not twelve alerts)."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from catalog.plans import Indicator, Target
from domain.alerts.clocks import OpenItem
from domain.alerts.model import AlertKind, Condition, Severity
from domain.targets.explain import STATUS_NAMES
from domain.targets.verdicts import Assessment, TargetStatus

RISK_SEVERITY = {
    TargetStatus.AT_RISK: Severity.WARNING,
    TargetStatus.OFF_TRACK: Severity.CRITICAL,
    TargetStatus.MISSED: Severity.CRITICAL,
}
CRITICAL_BACKLOG = 10  # overdue items at one agency that make it critical
LISTED = 20  # overdue ids named in an alert's details


def target_conditions(
    target: Target, indicator: Indicator, assessment: Assessment, explanation: tuple[str, str]
) -> list[Condition]:
    status, (why_vi, why_en) = assessment.status, explanation
    labels = {"target": target.id, "indicator": target.indicator, "org_unit": target.scope}
    if indicator.agency:
        labels["agency"] = indicator.agency
    name_vi, name_en = STATUS_NAMES[status]
    details = {
        "status": status.value,
        "deadline": assessment.milestone.deadline.isoformat(),
        "explanation_vi": why_vi,
        "explanation_en": why_en,
    }
    return [
        Condition(
            labels={"kind": AlertKind.TARGET_RISK, **labels},
            firing=status in RISK_SEVERITY,
            severity=RISK_SEVERITY.get(status, Severity.WARNING),
            summary_vi=f"{name_vi}: {indicator.name_vi}",
            summary_en=f"{name_en}: {indicator.name_en}",
            details=details,
        ),
        Condition(
            labels={"kind": AlertKind.STALE_DATA, **labels},
            firing=status is TargetStatus.STALE,
            severity=Severity.WARNING,
            summary_vi=f"Chưa báo cáo số liệu đúng hạn: {indicator.name_vi}",
            summary_en=f"Report overdue: {indicator.name_en}",
            details=details,
        ),
    ]


def overdue_conditions(
    kind: AlertKind,
    open_items: Iterable[OpenItem],
    now: datetime,
    agency_names: Mapping[str, tuple[str, str]],
    active_agencies: Iterable[str],
) -> list[Condition]:
    """One firing condition per agency with overdue items; a resolving one for each agency
    whose alert is active and has none left."""
    overdue: dict[str, list[OpenItem]] = {}
    for item in open_items:
        if item.due < now:
            overdue.setdefault(item.agency, []).append(item)
    conditions = [_backlog(kind, agency, items, agency_names) for agency, items in overdue.items()]
    conditions += [
        Condition(labels={"kind": kind, "agency": agency}, firing=False)
        for agency in set(active_agencies) - overdue.keys()
    ]
    return conditions


def _backlog(
    kind: AlertKind, agency: str, items: Sequence[OpenItem], names: Mapping[str, tuple[str, str]]
) -> Condition:
    name_vi, name_en = names.get(agency, (agency, agency))
    items = sorted(items, key=lambda i: i.due)
    count = len(items)
    what_vi, what_en = (
        ("hồ sơ quá hạn xử lý", "dossiers past their due date")
        if kind is AlertKind.DOSSIERS_OVERDUE
        else (
            "phản ánh, kiến nghị quá hạn trả lời",
            "citizen reports unanswered past their due date",
        )
    )
    return Condition(
        labels={"kind": kind, "agency": agency},
        firing=True,
        trace_parent=items[-1].trace_parent,  # the latest item to fall due
        severity=Severity.CRITICAL if count >= CRITICAL_BACKLOG else Severity.WARNING,
        summary_vi=f"{count} {what_vi}: {name_vi}",
        summary_en=f"{count} {what_en}: {name_en}",
        details={
            "count": str(count),
            "oldest_due": items[0].due.isoformat(),
            "ids": ", ".join(i.id for i in items[:LISTED]),
            "org_unit": items[0].org_unit,
        },
    )
