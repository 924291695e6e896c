"""What the operator API and the stream say: one shape for an alert on both, and a name in each
language for every code the console shows."""

from datetime import UTC, datetime

from catalog.plans import Group
from domain.alerts.book import AlertBook
from domain.alerts.model import AlertKind, Condition, Severity, State
from domain.targets.verdicts import TargetStatus
from services.alerts.views import alert_json, change_json, vocabulary

NOW = datetime(2025, 7, 15, tzinfo=UTC)


def test_an_alert_has_one_shape_on_the_api_and_on_the_stream() -> None:
    change = AlertBook().observe(
        Condition(labels={"kind": "target_risk", "target": "dti"}, firing=True), NOW
    )
    assert change is not None
    assert change.alert is not None
    streamed = change_json(change, silenced=True)
    assert streamed["alert"] == alert_json(change.alert, silenced=True)
    assert (streamed["alert"]["kind"], streamed["alert"]["silenced"]) == ("target_risk", True)
    assert (streamed["action"], streamed["actor"]) == ("fired", "ioc")


def test_every_code_the_console_shows_has_its_names_in_both_languages() -> None:
    names = vocabulary()
    for kind, codes in (
        ("status", TargetStatus),
        ("group", Group),
        ("severity", Severity),
        ("state", State),
        ("kind", AlertKind),
    ):
        assert {e["code"] for e in names[kind]} == {c.value for c in codes}, kind
        assert all(e["vi"] and e["en"] for e in names[kind]), kind
    # Most urgent first, as the scoreboard's filter lists them; most severe first.
    assert [e["code"] for e in names["status"]][:2] == ["off_track", "missed"]
    assert [e["code"] for e in names["severity"]] == ["critical", "warning", "info"]
