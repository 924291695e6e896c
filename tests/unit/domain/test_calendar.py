"""Vietnam's working days, 2024–2026: public holidays and Tết off, and the Saturdays worked in
exchange for a bridged holiday (04/05/2024 for 29/04/2024, 26/04/2025 for 02/05/2025, 22/08/2026
for 31/08/2026) on, as the state announced them."""

from datetime import date

import pytest

from domain.calendar import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(
    ("worked", "off"),
    [
        (date(2024, 5, 4), date(2024, 4, 29)),
        (date(2025, 4, 26), date(2025, 5, 2)),
        (date(2026, 8, 22), date(2026, 8, 31)),
    ],
)
def test_a_saturday_worked_for_a_bridged_holiday_is_a_working_day(worked: date, off: date) -> None:
    assert worked.weekday() == 5
    assert is_working_day(worked)
    assert not is_working_day(off)


def test_tet_and_ordinary_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2025, 1, 29))  # Tết
    assert not is_working_day(date(2025, 4, 19))  # an ordinary Saturday
    assert is_working_day(date(2025, 4, 25))


def test_counting_and_adding_take_the_worked_saturday() -> None:
    # Fri 25/04/2025 → Mon 28/04/2025: Saturday 26 is worked, Sunday is not.
    assert working_days_between(date(2025, 4, 25), date(2025, 4, 28)) == 2
    assert add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)
    # Across the 30/04–02/05 bridge: Tue 29/04 + 1 working day is Mon 05/05.
    assert add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)
    # 2026: Fri 21/08 + 1 is Sat 22/08; Fri 28/08 + 1 is Thu 03/09 (31/08, 01–02/09 off).
    assert add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)
    assert add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)
