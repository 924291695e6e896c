"""Facts computed from an event for the indicator conditions: the payload's own fields, plus
whether it was on time (by the SLA rule, domain/sla.py) and whether it was non-contact."""

from typing import Any

from contracts import Dossier, Feedback
from domain.calendar import local_date
from domain.sla import dossier_due, feedback_due

ONLINE = 2


def dossier_facts(dossier: Dossier) -> dict[str, Any]:
    facts = dict(vars(dossier))  # the fields as validated (enums as values): no dump needed
    facts["has_due_date"] = dossier.due_at is not None
    facts["non_contact"] = dossier.channel == ONLINE and dossier.electronic_result
    facts["on_time"] = _dossier_on_time(dossier)
    return facts


def feedback_facts(feedback: Feedback) -> dict[str, Any]:
    facts = dict(vars(feedback))
    answered = feedback.answered_at
    facts["on_time"] = answered is not None and local_date(answered) <= local_date(
        feedback_due(feedback)
    )
    return facts


def _dossier_on_time(dossier: Dossier) -> bool | None:
    """Finished no later than the day it was due (None until finished, or without a due date)."""
    finished = dossier.finished_at
    due = dossier_due(dossier, paused_until=finished) if finished else None
    return None if due is None or finished is None else local_date(finished) <= local_date(due)
