"""KPI maths on hand-computed cases: periods, working days, facts, contributions, rows."""

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from catalog import load_province
from catalog.indicators import load_definitions
from contracts import parse_event
from domain.calendar import (
    add_working_days,
    is_working_day,
    local_date,
    period_bounds,
    periods_of,
    working_days_between,
)
from domain.kpi.contributions import Contribution, Counting, ReportedValue, checks, holds
from domain.kpi.rows import Row, add, deltas, kpi_value

EXAMPLES = Path(__file__).resolve().parents[4] / "contracts/examples/valid"
DEFINITIONS = load_definitions()
changes_of = Counting(DEFINITIONS).changes_of
PROVINCE = load_province("quang-ngai")


def contributions(changes: list[Any], indicator: str) -> list[Contribution]:
    return [c for c in changes if isinstance(c, Contribution) and c.indicator == indicator]


def rolled_up(changes: list[Any], indicator: str) -> dict[str, Row]:
    """The batch's rows of one indicator, by `scope|period`."""
    prefix = f"{indicator}|"
    return {
        k[len(prefix) :]: r for k, r in deltas(changes, PROVINCE).items() if k.startswith(prefix)
    }


def event(name: str, **data: Any) -> Any:
    document = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))
    return parse_event(document | {"data": document["data"] | data})


def test_periods_follow_vietnam_time() -> None:
    late_utc = datetime(2025, 3, 31, 20, 0, tzinfo=UTC)  # 1 April, 03:00 in Vietnam
    assert local_date(late_utc) == date(2025, 4, 1)
    assert periods_of(date(2025, 4, 1)) == ("2025-04", "2025-Q2", "2025")
    assert period_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds("2025-Q4") == (date(2025, 10, 1), date(2025, 12, 31))


def test_tet_and_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2025, 1, 29))  # Lunar New Year
    assert not is_working_day(date(2025, 2, 1))  # a Saturday, and Tết
    assert is_working_day(date(2025, 2, 3))
    # From Friday 24 Jan 2025, five working days: 27 Jan – 1 Feb are Tết, so 3–7 Feb.
    assert add_working_days(date(2025, 1, 24), 5) == date(2025, 2, 7)
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 7)) == 5


def test_each_dossier_counts_once_at_its_trigger_status() -> None:
    accepted = changes_of(event("dossier-accepted-online"))
    [online] = contributions(accepted, "DIGITISED_ON_RECEIPT")
    assert online == Contribution(
        "DIGITISED_ON_RECEIPT", "cam-thanh", "ubnd.cam-thanh", "2025-03", 1, 1
    )
    # Rolled up to its province and to the committee as agency; month, quarter, year.
    assert rolled_up(accepted, "DIGITISED_ON_RECEIPT") == {
        f"{scope}|{period}": Row(1, 1)
        for scope in ("org:cam-thanh", "org:quang-ngai", "agency:ubnd.cam-thanh")
        for period in ("2025-03", "2025-Q1", "2025")
    }
    assert not any(c.indicator == "ON_TIME_DOSSIERS" for c in accepted)
    processing = event("dossier-accepted-online", status=4)
    assert changes_of(processing) == []


def test_on_time_counts_supplement_waiting_against_the_citizen() -> None:
    # Due 17/03 (Mon); 2 working days waiting for a supplement (06/03, 07/03) move it to 19/03.
    returned = event(
        "dossier-result-returned",
        status=9,
        returned_at=None,
        finished_at="2025-03-19T16:00:00+07:00",
    )
    on_time = contributions(changes_of(returned), "ON_TIME_DOSSIERS")
    assert {c.numerator for c in on_time} == {1.0}
    late = event(
        "dossier-result-returned",
        status=9,
        returned_at=None,
        finished_at="2025-03-20T16:00:00+07:00",
    )
    changes = contributions(changes_of(late), "ON_TIME_DOSSIERS")
    assert {(c.numerator, c.denominator) for c in changes} == {(0.0, 1.0)}


def test_online_payment_counts_fee_charging_dossiers_only() -> None:
    free = event(
        "dossier-result-returned", status=9, returned_at=None, fee_charged=False, paid_online=False
    )
    assert not [c for c in changes_of(free) if c.indicator == "ONLINE_PAYMENTS"]


def test_feedback_on_time_uses_fifteen_working_days() -> None:
    # Opened Tue 06/05/2025; 15 working days later is 27/05; answered 20/05: on time.
    answered = event("feedback-answered", due_at=None)
    rows = rolled_up(changes_of(answered), "FEEDBACK_ON_TIME")
    assert rows["org:quang-ngai|2025-05"].numerator == 1.0
    assert add_working_days(date(2025, 5, 6), 15) == date(2025, 5, 27)


def test_a_reported_value_sets_its_own_row() -> None:
    [report] = changes_of(event("indicator-dti-yearly"))
    assert report == ReportedValue(
        "DTI", "org:quang-ngai", "2024", 0.4821, "2025-04-15T02:00:00+00:00"
    )


def test_conditions_accept_a_value_or_one_of_a_list() -> None:
    assert holds(checks({"channel": [1, 2], "digitised": True}), {"channel": 2, "digitised": True})
    assert not holds(checks({"channel": [1]}), {"channel": 2})
    assert holds(checks({}), {})


def test_a_batch_folds_into_one_delta_per_row_rolled_up() -> None:
    a = Contribution("X", "cam-thanh", None, "2025-03", 1, 1)
    b = Contribution("X", "cam-thanh", None, "2025-04", 0, 1)
    other = Contribution("X", "nghia-lo", "so-tu-phap", "2025-03", 1, 1)
    rows = deltas([a, b, other, a], PROVINCE)
    assert rows["X|org:cam-thanh|2025-03"] == Row(2, 2)
    assert rows["X|org:cam-thanh|2025"] == Row(2, 3)
    assert rows["X|org:quang-ngai|2025-Q1"] == Row(3, 3)
    assert rows["X|org:quang-ngai|2025"] == Row(3, 4)
    assert rows["X|agency:so-tu-phap|2025-Q1"] == Row(1, 1)
    # cam-thanh and the province: 2 months, 2 quarters, the year; nghia-lo, agency: 3 each.
    assert len(rows) == 5 + 5 + 3 + 3
    assert add(Row(1, 1), Row(2, 3)) == Row(3, 4)


def test_the_latest_report_wins_in_any_order() -> None:
    newer = ReportedValue("DTI", "org:q", "2024", 0.52, "2025-04-30T17:00:00+00:00")
    older = ReportedValue("DTI", "org:q", "2024", 0.48, "2025-03-31T17:00:00+00:00")
    assert add(add(Row(), newer), older) == add(add(Row(), older), newer)
    assert add(add(Row(), older), newer).value == 0.52
    assert add(Row(), deltas([newer, older], PROVINCE)["DTI|org:q|2024"]).value == 0.52


def test_kpi_value_applies_the_factor_or_takes_the_reported_value() -> None:
    assert kpi_value(Row(1, 4)) == pytest.approx(25.0)
    assert kpi_value(Row(1, 4), factor=1.0) == pytest.approx(0.25)
    assert kpi_value(Row()) is None
    assert kpi_value(Row(value=0.6, reported_at="2025-01-01T00:00:00+00:00")) == 0.6


def test_every_derived_indicator_of_the_plan_is_defined() -> None:
    from catalog.plans import load_plan

    defined = {d.code for d in DEFINITIONS}
    plan = load_plan("quang-ngai-359")
    derived = {code for code, i in plan.indicators.items() if i.source.value == "derived"}
    assert derived <= defined
    assert len(defined) >= 10
