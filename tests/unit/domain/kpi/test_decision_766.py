"""Decision 766/QĐ-TTg's indicators, as it defines them, on hand-computed cases: a second
supplement request makes a dossier late; "online" needs an electronic result where the procedure
issues one; electronic results count over the dossiers of procedures that issue a result;
digitised means components and result digitised, over every dossier received."""

from typing import Any

from catalog.indicators import load_definitions
from domain.kpi.contributions import Contribution, Counting
from tests.unit.domain.kpi.test_kpi import PROVINCE, event

# A procedure of the reference data that issues no result (information given on the spot).
NO_RESULT = "QNG-XX-000"
ISSUES_RESULT = {code: p.issues_result for code, p in PROVINCE.procedures.items()} | {
    NO_RESULT: False
}
changes_of = Counting(load_definitions(), ISSUES_RESULT).changes_of


def counted(indicator: str, *events: Any) -> tuple[float, float]:
    """(numerator, denominator) over the events."""
    found = [
        c
        for e in events
        for c in changes_of(e)
        if isinstance(c, Contribution) and c.indicator == indicator
    ]
    return sum(c.numerator for c in found), sum(c.denominator for c in found)


def returned(**data: Any) -> Any:
    return event("dossier-result-returned", **data)


PAUSE_1 = {"requested_at": "2025-03-05T10:00:00+07:00", "resumed_at": "2025-03-07T08:00:00+07:00"}
PAUSE_2 = {"requested_at": "2025-03-10T10:00:00+07:00", "resumed_at": "2025-03-10T15:00:00+07:00"}


def test_a_second_supplement_request_makes_a_dossier_late_even_within_its_due_date() -> None:
    def processed(*pauses: dict[str, str]) -> Any:
        return returned(status=9, returned_at=None, supplement_pauses=list(pauses))

    # Due 17/03, moved to 19/03 by the first pause's two working days; finished 19/03: on time.
    assert counted("ON_TIME_DOSSIERS", processed(PAUSE_1)) == (1, 1)
    # A second request, even half a day long and finished the same day: late by the method.
    assert counted("ON_TIME_DOSSIERS", processed(PAUSE_1, PAUSE_2)) == (0, 1)


def test_online_needs_an_electronic_result_where_a_result_is_issued() -> None:
    online_paper_result = returned(electronic_result=False)
    online_electronic = returned()
    in_person = returned(channel=1)
    no_result_needed = returned(procedure_code=NO_RESULT, electronic_result=False)
    # 4 returned: only the electronic one and the one whose procedure issues no result count.
    assert counted(
        "ONLINE_DOSSIERS", online_paper_result, online_electronic, in_person, no_result_needed
    ) == (2, 4)


def test_electronic_results_count_over_the_procedures_that_issue_one() -> None:
    electronic = returned()
    paper = returned(electronic_result=False)
    no_result = returned(procedure_code=NO_RESULT, electronic_result=False)
    assert counted("ELECTRONIC_RESULTS", electronic, paper, no_result) == (1, 2)


def test_digitised_means_components_and_result_over_every_dossier_received() -> None:
    def accepted(n: int, **data: Any) -> Any:
        return event("dossier-accepted-online", dossier_id=f"D{n}", **data)

    both = (
        accepted(1, digitised=False, components_digitised=True),
        returned(
            dossier_id="D1", digitised=False, components_digitised=True, result_digitised=True
        ),
    )
    components_only = (
        accepted(2, digitised=False, components_digitised=True),
        returned(dossier_id="D2", digitised=False, components_digitised=True),
    )
    still_open = (accepted(3, digitised=False, components_digitised=True),)
    reported_as_one = (accepted(4, digitised=True), returned(dossier_id="D4", digitised=True))
    # Received 4 (the denominator at acceptance); digitised in full 2 (D1, D4: counted when
    # their results came); D2's result was not digitised; D3 is still open.
    assert counted(
        "DIGITISED_DOSSIERS", *both, *components_only, *still_open, *reported_as_one
    ) == (2, 4)
    assert counted(
        "DIGITISED_ON_RECEIPT", *both, *components_only, *still_open, *reported_as_one
    ) == (4, 4)
    assert counted("DIGITISED_RESULTS", both[1], components_only[1], reported_as_one[1]) == (2, 3)


def test_a_digitised_result_counts_in_the_month_the_dossier_was_received() -> None:
    accepted = event(
        "dossier-accepted-online",
        dossier_id="M1",
        received_at="2025-02-27T09:00:00+07:00",
        due_at="2025-03-04T17:00:00+07:00",
        components_digitised=True,
    )
    done = returned(dossier_id="M1", received_at="2025-02-27T09:00:00+07:00", digitised=True)
    months = {
        (c.month, c.numerator, c.denominator)
        for e in (accepted, done)
        for c in changes_of(e)
        if isinstance(c, Contribution) and c.indicator == "DIGITISED_DOSSIERS"
    }
    assert months == {("2025-02", 0.0, 1.0), ("2025-02", 1.0, 0.0)}


def test_an_unknown_procedure_is_taken_to_issue_a_result() -> None:
    unknown = returned(procedure_code="QNG-ZZ-999", electronic_result=False)
    assert counted("ELECTRONIC_RESULTS", unknown) == (0, 1)
    assert counted("ONLINE_DOSSIERS", unknown) == (0, 1)
