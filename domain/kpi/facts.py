"""Facts computed from an event for the indicator conditions, as Decision 766/QĐ-TTg defines
them (docs/decision-766.md): the payload's own fields, plus
- on_time: finished by its due date (the SLA rule, domain/sla.py) with at most one supplement
  request — a dossier sent back to the citizen more than once counts as late;
- online: submitted online and, where its procedure issues a result, given an electronic one;
- fully_digitised: its components digitised and, where a result is issued, its result too;
- non_contact: online with an electronic result;
- rated, satisfied: a closed feedback report rated by the citizen, 4 or 5 of 5."""

from collections.abc import Mapping
from typing import Any

from contracts import Dossier, Feedback
from domain.calendar import local_date
from domain.sla import dossier_due, feedback_due

ONLINE = 2
SUPPLEMENTS_ALLOWED = 1  # a second request for supplements makes the dossier late


def dossier_facts(dossier: Dossier, issues_result: Mapping[str, bool]) -> dict[str, Any]:
    """`issues_result`: by procedure code; a procedure not known is taken to issue one (so an
    unknown procedure never makes a figure better)."""
    facts = dict(vars(dossier))  # the fields as validated (enums as values): no dump needed
    with_result = issues_result.get(dossier.procedure_code, True)
    components = dossier.components_digitised or dossier.digitised
    result = dossier.result_digitised or dossier.digitised
    facts["issues_result"] = with_result
    facts["components_digitised"] = components
    facts["result_digitised"] = result
    facts["fully_digitised"] = components and (result or not with_result)
    facts["has_due_date"] = dossier.due_at is not None
    facts["online"] = dossier.channel == ONLINE and (dossier.electronic_result or not with_result)
    facts["non_contact"] = dossier.channel == ONLINE and dossier.electronic_result
    facts["on_time"] = _dossier_on_time(dossier)
    return facts


SATISFIED = 4  # of 5


def feedback_facts(feedback: Feedback) -> dict[str, Any]:
    facts = dict(vars(feedback))
    facts["rated"] = feedback.rating is not None
    facts["satisfied"] = feedback.rating is not None and feedback.rating >= SATISFIED
    answered = feedback.answered_at
    facts["on_time"] = answered is not None and local_date(answered) <= local_date(
        feedback_due(feedback)
    )
    return facts


def _dossier_on_time(dossier: Dossier) -> bool | None:
    """Finished no later than the day it was due, after at most one supplement request (None
    until finished, or without a due date)."""
    finished = dossier.finished_at
    due = dossier_due(dossier, paused_until=finished) if finished else None
    if due is None or finished is None:
        return None
    in_time = local_date(finished) <= local_date(due)
    return in_time and len(dossier.supplement_pauses) <= SUPPLEMENTS_ALLOWED
