"""The SLA clocks: which dossiers and citizen reports are open and when each falls due, on the
working-day clock. A dossier is due at its `due_at`, moved back by the working days it spent
waiting for the citizen's supplement; a report is due `due_at` or 15 working days after it
was opened (end of that day)."""

from dataclasses import dataclass
from datetime import date, datetime, time

from catalog import committee_of
from contracts import AnyEvent, Dossier, DossierStatusChanged, Feedback
from contracts.dossier import DossierStatus
from domain.calendar import VIETNAM, add_working_days, local_date, working_days_between
from domain.kpi.facts import FEEDBACK_WORKING_DAYS

FINISHED = {
    DossierStatus.NOT_ACCEPTED,
    DossierStatus.WITHDRAWN,
    DossierStatus.STOPPED,
    DossierStatus.PROCESSED,
    DossierStatus.RESULT_RETURNED,
}


@dataclass(frozen=True, slots=True)
class OpenItem:
    kind: str  # "dossier" or "feedback"
    id: str
    agency: str
    org_unit: str
    due: datetime
    trace_parent: str | None = None  # W3C context of the event that opened or moved the clock


def clock_of(event: AnyEvent) -> tuple[str, OpenItem | None] | None:
    """(key, the open item) for an event that opens or moves an SLA clock, (key, None) for one
    that stops it, None for an event that has no clock. A dossier's clock is its agency's: an
    event of another agency's with the same id never touches it."""
    data = event.data
    if isinstance(event, DossierStatusChanged) and isinstance(data, Dossier):
        key = dossier_key(data.agency_code, data.dossier_id)
        if data.status in FINISHED or data.due_at is None:
            return key, None
        return key, OpenItem(
            "dossier", data.dossier_id, data.agency_code, data.org_unit_code, _due(data)
        )
    if isinstance(data, Feedback):
        key = f"feedback:{data.feedback_id}"
        if data.answered_at is not None or data.closed_at is not None:
            return key, None
        due = data.due_at or _end_of_day(
            add_working_days(local_date(data.opened_at), FEEDBACK_WORKING_DAYS)
        )
        agency = data.agency_code or committee_of(data.org_unit_code)
        return key, OpenItem("feedback", data.feedback_id, agency, data.org_unit_code, due)
    return None


def dossier_key(agency: str, dossier_id: str) -> str:
    return f"dossier:{agency}:{dossier_id}"


def _due(dossier: Dossier) -> datetime:
    assert dossier.due_at is not None
    if any(p.resumed_at is None for p in dossier.supplement_pauses):
        return datetime.max.replace(tzinfo=VIETNAM)  # waiting for the citizen: the clock stops
    paused = sum(
        working_days_between(local_date(p.requested_at), local_date(p.resumed_at))
        for p in dossier.supplement_pauses
        if p.resumed_at is not None
    )
    if not paused:
        return dossier.due_at
    moved = add_working_days(local_date(dossier.due_at), paused)
    return datetime.combine(moved, dossier.due_at.astimezone(VIETNAM).timetz())


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=VIETNAM)
