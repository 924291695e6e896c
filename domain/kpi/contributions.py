"""What one event changes: each derived indicator the event triggers contributes its numerator
and denominator at the leaf (the event's org unit, agency and month); a reported value sets
the row of its org unit and period. The roll-up of leaves to every unit above, the agency, the
quarter and the year is done once per batch (domain/kpi/rows.py), not once per event."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any, NamedTuple

from catalog import Province
from catalog.indicators import Criteria, DerivedIndicator
from contracts import AnyEvent, Dossier, Feedback, IndicatorValueReported
from contracts.kpi import agency_scope, org_scope
from domain.calendar import local_month
from domain.kpi.facts import dossier_facts, feedback_facts

Checks = tuple[tuple[str, tuple[Any, ...]], ...]  # criteria as (name, values allowed) pairs


def checks(criteria: Criteria) -> Checks:
    return tuple(
        (name, tuple(wanted) if isinstance(wanted, list) else (wanted,))
        for name, wanted in criteria.items()
    )


def holds(checks: Checks, values: Mapping[str, Any]) -> bool:
    """Every named field or fact has the required value (or one of the listed values)."""
    for name, allowed in checks:  # noqa: SIM110 (all() over a generator: twice the time)
        if values.get(name) not in allowed:
            return False
    return True


class Contribution(NamedTuple):  # a tuple: made for every event and indicator, so cheap
    indicator: str
    org_unit: str
    agency: str | None
    month: str  # "2025-03", in Vietnam's time
    numerator: float
    denominator: float


class ReportedValue(NamedTuple):
    indicator: str
    scope: str
    period: str
    value: float
    reported_at: str  # event time, UTC ISO 8601: the latest report for a period wins


KpiChange = Contribution | ReportedValue


@dataclass(frozen=True, slots=True)
class _Counted:
    indicator: str
    date: str
    denominator: Checks
    numerator: Checks
    counts_numerator: bool = True
    counts_denominator: bool = True


class Counting:
    """The derived indicators indexed for counting events: by event type, then by trigger
    (most indicators of an event type share one), each condition checked once per event."""

    def __init__(
        self, definitions: Sequence[DerivedIndicator], issues_result: Mapping[str, bool] = {}
    ) -> None:
        """`issues_result`: whether each procedure issues a result (the reference data)."""
        self._issues_result = dict(issues_result)
        by_trigger: dict[tuple[str, Checks], list[_Counted]] = {}
        for d in definitions:
            counted = _Counted(d.code, d.date, checks(d.denominator), checks(d.numerator))
            if d.numerator_trigger is None:
                by_trigger.setdefault((d.event, checks(d.trigger)), []).append(counted)
                continue
            whole, later = checks(d.trigger), checks(d.numerator_trigger)
            by_trigger.setdefault((d.event, whole), []).append(
                _Counted(d.code, d.date, counted.denominator, (), counts_numerator=False)
            )
            by_trigger.setdefault((d.event, later), []).append(
                _Counted(
                    d.code, d.date, counted.denominator, counted.numerator, counts_denominator=False
                )
            )
        self._by_event: dict[str, list[tuple[Checks, list[_Counted]]]] = {}
        for (event_type, trigger), counted_list in by_trigger.items():
            self._by_event.setdefault(event_type, []).append((trigger, counted_list))

    def changes_of(self, event: AnyEvent) -> list[KpiChange]:
        if isinstance(event, IndicatorValueReported):
            d = event.data
            return [
                ReportedValue(
                    d.indicator_code,
                    org_scope(d.org_unit_code),
                    d.period,
                    d.value,
                    event.time.astimezone(UTC).isoformat(),
                )
            ]
        data = event.data
        if isinstance(data, Dossier):
            facts = dossier_facts(data, self._issues_result)
        elif isinstance(data, Feedback):
            facts = feedback_facts(data)
        else:
            return []
        changes: list[KpiChange] = []
        org_unit, agency = data.org_unit_code, data.agency_code
        months: dict[str, str] = {}  # by date field: most indicators share one
        for trigger, counted_list in self._by_event.get(event.type, ()):
            if not holds(trigger, facts):
                continue
            for counted in counted_list:
                moment = facts.get(counted.date)
                if moment is None or (
                    counted.denominator and not holds(counted.denominator, facts)
                ):
                    continue
                month = months.get(counted.date)
                if month is None:
                    month = months[counted.date] = local_month(moment)
                met = counted.counts_numerator and holds(counted.numerator, facts)
                if not met and not counted.counts_denominator:
                    continue  # a later event that adds nothing
                changes.append(
                    Contribution(
                        counted.indicator,
                        org_unit,
                        agency,
                        month,
                        1.0 if met else 0.0,
                        1.0 if counted.counts_denominator else 0.0,
                    )
                )
        return changes


def scopes(province: Province, org_unit: str, agency: str | None) -> list[str]:
    """The org unit and every unit above it (roll-up), and the agency."""
    if org_unit in province.org_units:
        chain = [org_scope(u.code) for u in province.ancestors(org_unit)]
    else:  # unknown to the reference data: counted where reported, not rolled up
        chain = [org_scope(org_unit)]
    return chain + ([agency_scope(agency)] if agency else [])
