"""What one event changes: each derived indicator the event triggers contributes its numerator
and denominator at the leaf (the event's org unit, agency and month); a reported value sets
the row of its org unit and period. The roll-up of leaves to every unit above, the agency, the
quarter and the year is done once per batch (kpi/rows.py), not once per event."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC

from catalog import Province
from contracts import AnyEvent, Dossier, Feedback, IndicatorValueReported
from kpi.definitions import DerivedIndicator, holds
from kpi.facts import dossier_facts, feedback_facts
from kpi.periods import local_month


@dataclass(frozen=True, slots=True)
class Contribution:
    indicator: str
    org_unit: str
    agency: str | None
    month: str  # "2025-03", in Vietnam's time
    numerator: float
    denominator: float


@dataclass(frozen=True, slots=True)
class Report:
    indicator: str
    scope: str
    period: str
    value: float
    reported_at: str  # event time, UTC ISO 8601: the latest report for a period wins


Change = Contribution | Report


def changes_of(event: AnyEvent, definitions: Sequence[DerivedIndicator]) -> list[Change]:
    if isinstance(event, IndicatorValueReported):
        d = event.data
        return [
            Report(
                d.indicator_code,
                f"org:{d.org_unit_code}",
                d.period,
                d.value,
                event.time.astimezone(UTC).isoformat(),
            )
        ]
    data = event.data
    if isinstance(data, Dossier):
        facts = dossier_facts(data)
    elif isinstance(data, Feedback):
        facts = feedback_facts(data)
    else:
        return []
    changes: list[Change] = []
    months: dict[str, str] = {}  # by date field: most indicators share one
    for definition in definitions:
        if definition.event != event.type or not holds(definition.trigger, facts):
            continue
        moment = facts.get(definition.date)
        if moment is None or not holds(definition.denominator, facts):
            continue
        counted = 1.0 if holds(definition.numerator, facts) else 0.0
        month = months.get(definition.date) or months.setdefault(
            definition.date, local_month(moment)
        )
        changes.append(
            Contribution(definition.code, data.org_unit_code, data.agency_code, month, counted, 1.0)
        )
    return changes


def scopes(province: Province, org_unit: str, agency: str | None) -> list[str]:
    """The org unit and every unit above it (roll-up), and the agency."""
    if org_unit in province.org_units:
        chain = [f"org:{u.code}" for u in province.ancestors(org_unit)]
    else:  # unknown to the reference data: counted where reported, not rolled up
        chain = [f"org:{org_unit}"]
    return chain + ([f"agency:{agency}"] if agency else [])
