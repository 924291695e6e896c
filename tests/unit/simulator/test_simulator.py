"""The province simulator: the past year is the same every run (replaying it is all
duplicates), every event keeps its contract, and live dossiers are new in each run (a second
`make up` the same day must not reuse ids for different dossiers)."""

from datetime import date, datetime, time

from catalog import load_province
from contracts import parse_event
from domain.calendar import VIETNAM
from simulator.province import ProvinceYear

TODAY = date(2026, 11, 20)


def run() -> ProvinceYear:
    return ProvinceYear(load_province("quang-ngai"), TODAY, scale=0.2)


def test_the_past_year_is_the_same_every_run_and_keeps_the_contracts() -> None:
    first, second = list(run().events()), list(run().events())
    assert first == second
    assert len(first) > 5_000
    for event in first:
        parse_event(event)


def test_a_year_replayed_today_holds_nothing_that_has_not_happened_yet() -> None:
    # IOC refuses facts from the future: the replay stops at now, not at the end of today.
    now = datetime.combine(TODAY, time(11), VIETNAM)
    year = ProvinceYear(load_province("quang-ngai"), TODAY, scale=0.2, now=now)
    events = list(year.events())
    assert max(e["time"] for e in events) <= now.isoformat()
    for event in events:
        assert event["data"].get("returned_at", "") <= now.isoformat()
        parse_event(event)


def test_live_dossiers_are_new_in_each_run() -> None:
    now = datetime.combine(TODAY, time(10), VIETNAM)
    one, other = run(), run()
    live = [one.live(now, 20), other.live(now, 20)]
    for events in live:
        for event in events:
            parse_event(event)
    ids = [{e["id"] for e in events} for events in live]
    assert ids[0]
    assert ids[1]
    assert not ids[0] & ids[1]
