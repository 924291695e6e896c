"""The SLA clocks: which dossiers and citizen reports are open and when each falls due (by the
one SLA rule, domain/sla.py). A dossier waiting for the citizen's supplement has its clock
stopped: it stays open but never falls due until the citizen answers."""

from dataclasses import dataclass
from datetime import datetime

from catalog import committee_of
from contracts import AnyEvent, Dossier, DossierStatusChanged, Feedback
from contracts.dossier import DossierStatus
from domain.calendar import VIETNAM
from domain.sla import dossier_due, feedback_due

STOPPED = datetime.max.replace(tzinfo=VIETNAM)  # the due time of a stopped clock

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
        due = dossier_due(data) or STOPPED
        return key, OpenItem("dossier", data.dossier_id, data.agency_code, data.org_unit_code, due)
    if isinstance(data, Feedback):
        key = f"feedback:{data.feedback_id}"
        if data.answered_at is not None or data.closed_at is not None:
            return key, None
        due = feedback_due(data)
        agency = data.agency_code or committee_of(data.org_unit_code)
        return key, OpenItem("feedback", data.feedback_id, agency, data.org_unit_code, due)
    return None


def dossier_key(agency: str, dossier_id: str) -> str:
    return f"dossier:{agency}:{dossier_id}"
