"""The alert domain by hand: one alert per condition, its states and audit, silences, the SLA
clocks on the working-day calendar, and the Alertmanager v4 payload."""

import ast
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from contracts import parse_event
from domain.alerts.book import AlertBook, UnknownAlertError
from domain.alerts.clocks import OpenItem, clock_of
from domain.alerts.model import AlertKind, Condition, Matcher, Severity, State
from domain.alerts.notify import ZERO_TIME, webhook_payload
from domain.alerts.rules import overdue_conditions

ROOT = Path(__file__).resolve().parents[4]
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
RISK = {"kind": AlertKind.TARGET_RISK, "target": "t1", "indicator": "ONLINE_DOSSIERS"}


def condition(firing: bool = True, severity: Severity = Severity.WARNING) -> Condition:
    return Condition(labels=RISK, firing=firing, severity=severity, summary_en="At risk")


def test_the_same_condition_twice_is_one_alert() -> None:
    book = AlertBook()
    first = book.observe(condition(), NOW)
    assert first is not None
    assert first.action == "fired"
    assert book.observe(condition(), NOW + timedelta(minutes=1)) is None
    assert len(book.alerts) == 1


def test_a_change_of_severity_updates_the_alert_and_recovery_resolves_it() -> None:
    book = AlertBook()
    book.observe(condition(), NOW)
    updated = book.observe(condition(severity=Severity.CRITICAL), NOW + timedelta(hours=1))
    assert updated is not None
    assert updated.alert is not None
    assert (updated.action, updated.alert.severity) == ("updated", Severity.CRITICAL)
    resolved = book.observe(condition(firing=False), NOW + timedelta(hours=2))
    assert resolved is not None
    assert resolved.alert is not None
    assert resolved.alert.state is State.RESOLVED
    assert book.observe(condition(firing=False), NOW + timedelta(hours=3)) is None
    again = book.observe(condition(), NOW + timedelta(hours=4))
    assert again is not None
    assert again.alert is not None
    assert (again.action, again.alert.state, again.alert.resolved_at) == ("refired", "firing", None)


def test_operators_acknowledge_assign_and_comment_with_an_audit_trail() -> None:
    book = AlertBook()
    made = book.observe(condition(), NOW)
    assert made is not None
    assert made.alert is not None
    fp = made.alert.fingerprint
    book.acknowledge(fp, "lan", "đang xử lý", NOW + timedelta(minutes=5))
    done = book.assign(fp, "so-tu-phap", "lan", "", NOW + timedelta(minutes=6))
    assert done.alert is not None
    assert done.alert.state is State.ACKNOWLEDGED
    assert done.alert.assignee == "so-tu-phap"
    assert [(e.actor, e.action) for e in done.alert.audit] == [
        ("ioc", "fired"),
        ("lan", "acknowledged"),
        ("lan", "assigned"),
    ]
    assert done.alert.audit[1].comment == "đang xử lý"
    with pytest.raises(UnknownAlertError):
        book.acknowledge("nope", "lan", "", NOW)


def test_replaying_the_history_rebuilds_the_book() -> None:
    book = AlertBook()
    changes = [c for c in [book.observe(condition(), NOW)] if c]
    assert changes[0].alert is not None
    changes.append(book.acknowledge(changes[0].alert.fingerprint, "lan", "", NOW))
    wire = [type(c).model_validate_json(c.model_dump_json()) for c in changes]
    assert AlertBook(wire).alerts == book.alerts


def test_a_silence_matches_by_labels_until_it_ends() -> None:
    book = AlertBook()
    made = book.observe(condition(), NOW)
    assert made is not None
    assert made.alert is not None
    book.silence([Matcher(label="target", value="t1")], NOW + timedelta(hours=1), "lan", "", NOW)
    assert book.silenced(made.alert, NOW + timedelta(minutes=30)) is not None
    assert book.silenced(made.alert, NOW + timedelta(hours=2)) is None


def test_a_supplement_wait_moves_a_dossier_due_date_on_the_working_day_clock() -> None:
    document = json.loads(
        (ROOT / "contracts/examples/valid/dossier-result-returned.json").read_text()
    )
    data = document["data"] | {"status": 4, "finished_at": None, "returned_at": None}
    clock = clock_of(parse_event(document | {"data": data}))
    assert clock is not None
    assert clock[1] is not None
    key, item = clock
    assert item is not None
    # Due Mon 17/03/2025; the supplement wait (Thu 06/03 → Sat 08/03) is 2 working days: 19/03.
    expected_key = f"dossier:{data['agency_code']}:{data['dossier_id']}"  # the agency's dossier
    assert (key, item.due.date().isoformat()) == (expected_key, "2025-03-19")
    finished = clock_of(parse_event(document))
    assert finished == (key, None)


def test_overdue_items_make_one_alert_per_agency_and_clear_when_none_are_left() -> None:
    late = [
        OpenItem("dossier", f"D{i}", "so-tu-phap", "quang-ngai", NOW - timedelta(days=1))
        for i in range(12)
    ]
    on_time = OpenItem("dossier", "X", "so-noi-vu", "quang-ngai", NOW + timedelta(days=1))
    names = {"so-tu-phap": ("Sở Tư pháp", "Department of Justice")}
    [backlog, cleared] = overdue_conditions(
        AlertKind.DOSSIERS_OVERDUE, [*late, on_time], NOW, names, active_agencies=["so-y-te"]
    )
    assert backlog.labels == {"kind": "dossiers_overdue", "agency": "so-tu-phap"}
    assert backlog.severity is Severity.CRITICAL
    assert backlog.details["count"] == "12"
    assert backlog.summary_vi == "12 hồ sơ quá hạn xử lý: Sở Tư pháp"
    assert (cleared.labels["agency"], cleared.firing) == ("so-y-te", False)


def test_the_webhook_payload_has_the_alertmanager_v4_shape() -> None:
    book = AlertBook()
    made = book.observe(condition(), NOW)
    assert made is not None
    assert made.alert is not None
    payload = webhook_payload([made.alert], {"kind": "target_risk"}, "ops", "http://ioc")
    assert payload["version"] == "4"
    assert payload["status"] == "firing"
    [alert] = payload["alerts"]
    assert alert["endsAt"] == ZERO_TIME
    assert alert["labels"]["severity"] == "warning"
    assert payload["groupKey"] == '{}:{kind="target_risk"}'


@pytest.mark.parametrize("package", ["alerts", "kpi", "targets"])
def test_the_domain_core_imports_no_kafka_redis_or_http(package: str) -> None:
    forbidden = {"aiokafka", "faust", "redis", "fastapi", "httpx", "starlette", "services"}
    for path in (ROOT / package).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not {n.split(".")[0] for n in names} & forbidden, f"{path} imports {names}"


def test_an_alert_continues_the_trace_of_the_event_that_caused_it() -> None:
    from opentelemetry import trace
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from infra.telemetry import configure_tracing
    from services.alerts.desk import _trace

    exporter = InMemorySpanExporter()
    configure_tracing("test").add_span_processor(SimpleSpanProcessor(exporter))
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    late = OpenItem("dossier", "D1", "so-tu-phap", "quang-ngai", NOW - timedelta(days=1), parent)
    [backlog] = overdue_conditions(AlertKind.DOSSIERS_OVERDUE, [late], NOW, {}, [])
    change = AlertBook().observe(backlog, NOW)
    assert change is not None
    assert change.trace_parent == parent
    _trace([change])
    [span] = [s for s in exporter.get_finished_spans() if s.name == "alert.fired"]
    assert span.context is not None
    assert trace.format_trace_id(span.context.trace_id) == "4bf92f3577b34da6a3ce929d0e0e4736"
