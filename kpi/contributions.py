"""What one event adds to which KPI rows: each derived indicator the event triggers adds its
numerator and denominator to every period of its date, for the event's org unit and each unit
above it, and for its agency; a reported value sets the row of its org unit and period."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC

from catalog import Province
from contracts import AnyEvent, Dossier, Feedback, IndicatorValueReported
from kpi.definitions import DerivedIndicator, holds
from kpi.facts import dossier_facts, feedback_facts
from kpi.periods import local_date, periods_of


@dataclass(frozen=True, slots=True)
class Contribution:
    indicator: str
    scope: str  # "org:<org unit code>" or "agency:<agency code>"
    period: str
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


def changes_of(
    event: AnyEvent, definitions: Sequence[DerivedIndicator], province: Province
) -> list[Change]:
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
    for definition in definitions:
        if definition.event != event.type or not holds(definition.trigger, facts):
            continue
        if not holds(definition.denominator, facts) or facts.get(definition.date) is None:
            continue
        counted = 1.0 if holds(definition.numerator, facts) else 0.0
        periods = periods_of(local_date(facts[definition.date]))
        for scope in scopes(province, data.org_unit_code, data.agency_code):
            changes.extend(Contribution(definition.code, scope, p, counted, 1.0) for p in periods)
    return changes


def scopes(province: Province, org_unit: str, agency: str | None) -> list[str]:
    """The org unit and every unit above it (roll-up), and the agency."""
    if org_unit in province.org_units:
        chain = [f"org:{u.code}" for u in province.ancestors(org_unit)]
    else:  # unknown to the reference data: counted where reported, not rolled up
        chain = [f"org:{org_unit}"]
    return chain + ([f"agency:{agency}"] if agency else [])
