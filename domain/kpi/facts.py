"""Facts computed from an event for the indicator conditions: the payload's own fields, plus
whether it was on time (on the working-day clock) and whether it was non-contact."""

from datetime import date, datetime
from typing import Any

from contracts import Dossier, Feedback
from domain.calendar import add_working_days, local_date, working_days_between

FEEDBACK_WORKING_DAYS = 15  # phản ánh kiến nghị: handled within 15 working days
ONLINE = 2


def dossier_facts(dossier: Dossier) -> dict[str, Any]:
    facts = dict(vars(dossier))  # the fields as validated (enums as values): no dump needed
    facts["has_due_date"] = dossier.due_at is not None
    facts["non_contact"] = dossier.channel == ONLINE and dossier.electronic_result
    facts["on_time"] = _dossier_on_time(dossier)
    return facts


def feedback_facts(feedback: Feedback) -> dict[str, Any]:
    facts = dict(vars(feedback))
    opened = local_date(feedback.opened_at)
    due = (
        local_date(feedback.due_at)
        if feedback.due_at
        else add_working_days(opened, FEEDBACK_WORKING_DAYS)
    )
    answered = feedback.answered_at
    facts["on_time"] = answered is not None and local_date(answered) <= due
    return facts


def _dossier_on_time(dossier: Dossier) -> bool | None:
    """Finished no later than the due date, moved back by the working days spent waiting for
    the citizen's supplement (that time is not the agency's)."""
    if dossier.due_at is None or dossier.finished_at is None:
        return None
    paused = sum(
        working_days_between(local_date(p.requested_at), _day(p.resumed_at or dossier.finished_at))
        for p in dossier.supplement_pauses
    )
    due = add_working_days(local_date(dossier.due_at), paused)
    return local_date(dossier.finished_at) <= due


def _day(moment: datetime) -> date:
    return local_date(moment)
