"""What each agency may write (object-level authorization): the agency codes its dossiers and
feedback may carry, the org units they may concern, and the indicators it may report.

Derived from the province's data, so nothing is listed twice: a department acts for itself at
every unit of the province; a commune's People's Committee for itself at its own commune (and
any unit under it); an indicator is reported by the agency the plan makes responsible for it.
`agencies.yaml` widens this where an agency's system serves others (`acts_for`, `serves`,
`reports`): the province's one-stop and feedback systems publish for every agency."""

from collections.abc import Iterable
from dataclasses import dataclass

from catalog.plans import Plan, Source, plans_of
from catalog.reference import ANY_AGENCY, Province, committee_of, load_province
from contracts import CloudEvent, Dossier, Feedback, IndicatorReport


@dataclass(frozen=True, slots=True)
class Refusal:
    field: str  # where in the event, "data.agency_code"
    reason: str


@dataclass(frozen=True)
class Authority:
    agency: str
    acts_for: frozenset[str]  # agency codes its dossiers and feedback may carry
    org_units: frozenset[str]  # org units its dossiers, feedback and reports may concern
    indicators: frozenset[str]  # the reported indicators it may report

    def refusal(self, event: CloudEvent) -> Refusal | None:
        """Why the agency may not publish this event, or None if it may."""
        data = event.data
        if isinstance(data, Dossier):
            return self._acts_for(data.agency_code, "dossiers") or self._serves(data.org_unit_code)
        if isinstance(data, Feedback):
            # Unassigned, it is the commune's: its committee answers it (domain/alerts/clocks.py).
            handler = data.agency_code or committee_of(data.org_unit_code)
            return self._serves(data.org_unit_code) or self._acts_for(handler, "feedback")
        if isinstance(data, IndicatorReport):
            if data.indicator_code not in self.indicators:
                return Refusal(
                    "data.indicator_code",
                    f"agency {self.agency!r} is not responsible for reporting "
                    f"{data.indicator_code!r}",
                )
            return self._serves(data.org_unit_code) or (
                self._acts_for(data.agency_code, "reports") if data.agency_code else None
            )
        return None

    def _acts_for(self, agency: str, what: str) -> Refusal | None:
        if agency in self.acts_for:
            return None
        return Refusal(
            "data.agency_code", f"agency {self.agency!r} may not publish {what} of {agency!r}"
        )

    def _serves(self, org_unit: str) -> Refusal | None:
        if org_unit in self.org_units:
            return None
        return Refusal(
            "data.org_unit_code",
            f"agency {self.agency!r} does not serve org unit {org_unit!r}",
        )


def authorities(province: Province, plans: Iterable[Plan]) -> dict[str, Authority]:
    """Every agency of the province, with what it may write."""
    responsible: dict[str, set[str]] = {}
    for plan in plans:
        for indicator in plan.indicators.values():
            if indicator.source is Source.REPORTED and indicator.agency:
                responsible.setdefault(indicator.agency, set()).add(indicator.code)
    found = {}
    for code, agency in province.agencies.items():
        if agency.serves:
            units = {u for root in agency.serves for u in province.subtree(root)}
        elif agency.org_unit:
            units = set(province.subtree(agency.org_unit))
        else:
            units = set(province.org_units)
        acts_for = {code, *agency.acts_for}
        if ANY_AGENCY in acts_for:
            acts_for = set(province.agencies)
        found[code] = Authority(
            code,
            frozenset(acts_for),
            frozenset(units),
            frozenset(responsible.get(code, set()) | set(agency.reports)),
        )
    return found


def of_province(code: str) -> dict[str, Authority]:
    """The authorities of a configured province, from its data and its plans."""
    return authorities(load_province(code), plans_of(code))
