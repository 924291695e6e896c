"""When a dossier or a citizen report falls due, on the working-day clock: the one rule the
KPIs (was it handled on time?) and the SLA alerts (is it overdue now?) both judge by.

A dossier is due at its `due_at` (ngày hẹn trả), moved on by the working days it spent waiting
for the citizen's supplement: that time is not the agency's. A report (phản ánh kiến nghị) is
due at its `due_at`, or at the end of the 15th working day after it was opened."""

from datetime import datetime, time

from contracts import Dossier, Feedback
from domain.calendar import VIETNAM, add_working_days, local_date, working_days_between

FEEDBACK_WORKING_DAYS = 15


def dossier_due(dossier: Dossier, paused_until: datetime | None = None) -> datetime | None:
    """The due time after its supplement pauses. A pause still open counts up to
    `paused_until` (a finished dossier's finish); without one its clock is stopped: None. None
    also for a dossier without a due date."""
    if dossier.due_at is None:
        return None
    paused = 0
    for pause in dossier.supplement_pauses:
        resumed = pause.resumed_at or paused_until
        if resumed is None:
            return None  # waiting for the citizen
        paused += working_days_between(local_date(pause.requested_at), local_date(resumed))
    if not paused:
        return dossier.due_at
    moved = add_working_days(local_date(dossier.due_at), paused)
    return datetime.combine(moved, dossier.due_at.astimezone(VIETNAM).timetz())


def feedback_due(feedback: Feedback) -> datetime:
    if feedback.due_at is not None:
        return feedback.due_at
    day = add_working_days(local_date(feedback.opened_at), FEEDBACK_WORKING_DAYS)
    return datetime.combine(day, time(23, 59, 59), tzinfo=VIETNAM)
