"""The one SLA rule, by hand on the 2025 calendar: 30/04, 01/05 and 02/05 are days off, and
Saturday 26/04 is worked in exchange for 02/05 (the state's announcement, as `holidays` has
it)."""

from datetime import datetime, time
from typing import Any

from contracts import Dossier, Feedback
from domain.calendar import VIETNAM
from domain.sla import dossier_due, feedback_due


def at(day: str, hour: int = 9) -> str:
    return datetime.combine(datetime.fromisoformat(day).date(), time(hour), VIETNAM).isoformat()


def dossier(**changes: Any) -> Dossier:
    fields: dict[str, Any] = {
        "dossier_id": "D1",
        "procedure_code": "QNG-TP-001",
        "procedure_online_level": "full",
        "agency_code": "so-tu-phap",
        "org_unit_code": "quang-ngai",
        "channel": 2,
        "status": 4,
        "received_at": at("2025-04-21"),
        "due_at": at("2025-04-28", 17),
    }
    return Dossier.model_validate(fields | changes)


def test_a_dossier_without_pauses_is_due_at_its_appointment() -> None:
    assert dossier_due(dossier()) == datetime.fromisoformat(at("2025-04-28", 17))


def test_a_supplement_wait_moves_the_due_date_by_its_working_days() -> None:
    # Waiting Fri 25/04 → Tue 06/05: Sat 26, Mon 28, Tue 29, Mon 05, Tue 06 are working days: 5,
    # so due Mon 28/04 becomes Tue 29, Mon 05, Tue 06, Wed 07, Thu 08/05.
    waited = dossier(
        supplement_pauses=[{"requested_at": at("2025-04-25"), "resumed_at": at("2025-05-06")}]
    )
    assert dossier_due(waited) == datetime.fromisoformat(at("2025-05-08", 17))


def test_an_open_wait_stops_the_clock_until_the_citizen_answers_or_the_dossier_ends() -> None:
    waiting = dossier(supplement_pauses=[{"requested_at": at("2025-04-25")}])
    assert dossier_due(waiting) is None
    # Judged at its finish (Tue 29/04), the wait counts to then: Sat 26, Mon 28, Tue 29: 3 days,
    # so due Mon 28/04 becomes Tue 29/04, Mon 05/05, Tue 06/05.
    finished = datetime.fromisoformat(at("2025-04-29", 15))
    assert dossier_due(waiting, paused_until=finished) == datetime.fromisoformat(
        at("2025-05-06", 17)
    )


def test_no_due_date_no_due_time() -> None:
    assert dossier_due(dossier(due_at=None)) is None


def test_a_report_is_due_at_the_end_of_its_fifteenth_working_day() -> None:
    # Opened Mon 21/04/2025: 15 working days, Saturday 26/04 among them and 30/04–02/05 not:
    # the end of Wed 14/05.
    report = Feedback.model_validate(
        {
            "feedback_id": "F1",
            "org_unit_code": "tinh-khe",
            "category": "dat-dai",
            "opened_at": at("2025-04-21"),
        }
    )
    assert feedback_due(report) == datetime(2025, 5, 14, 23, 59, 59, tzinfo=VIETNAM)
