import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from contracts import (
    EVENT_MODELS,
    MODELS_BY_TYPE,
    DossierStatus,
    field_path,
    from_kafka_record,
    parse_event,
    to_kafka_record,
    type_name,
)
from contracts.topics import ALL_TOPICS
from tools.contracts import main as generate_main

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"
VALID = sorted((CONTRACTS / "examples" / "valid").glob("*.json"))
INVALID = sorted((CONTRACTS / "examples" / "invalid").glob("*.json"))
ASYNCAPI_SCHEMA = (
    Path(__file__).resolve().parents[3]
    / "node_modules/@asyncapi/specs/schemas/3.0.0-without-$id.json"
)


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_example_is_accepted_and_survives_the_kafka_binding(path: Path) -> None:
    event = parse_event(path.read_bytes())
    record = to_kafka_record(event)
    assert from_kafka_record(record.value, record.headers) == event
    assert record.key == event.partition_key().encode()


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_example_matches_its_committed_json_schema(path: Path) -> None:
    event = load(path)
    schema = json.loads((CONTRACTS / "schemas" / f"{event['type']}.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(event)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_example_is_refused_naming_the_field_at_fault(path: Path) -> None:
    case = load(path)
    with pytest.raises(ValidationError) as refused:
        parse_event(case["event"])
    assert case["error_at"] in [field_path(e) for e in refused.value.errors()]


def test_examples_cover_every_event_type() -> None:
    assert {load(p)["type"] for p in VALID} == set(MODELS_BY_TYPE)


def test_unknown_data_fields_are_ignored_for_forward_compatibility() -> None:
    event = load(VALID[0])
    event["data"]["field_from_a_future_version"] = {"anything": 1}
    assert parse_event(event) == parse_event(VALID[0].read_bytes())


def test_extension_attributes_travel_as_ce_headers() -> None:
    event = parse_event(load(CONTRACTS / "examples/valid/dossier-accepted-online.json"))
    headers = dict(to_kafka_record(event).headers)
    assert headers["ce_traceparent"].startswith(b"00-4bf92f35")
    assert headers["ce_type"] == b"vn.ioc.dossier.status-changed.v1"
    assert headers["content-type"] == b"application/json"


def test_extension_values_travel_as_the_binding_spells_them() -> None:
    document = load(CONTRACTS / "examples/valid/dossier-accepted-online.json")
    event = parse_event(document | {"urgent": True, "late": False, "priority": 2})
    headers = dict(to_kafka_record(event).headers)
    assert (headers["ce_urgent"], headers["ce_late"], headers["ce_priority"]) == (
        b"true",
        b"false",
        b"2",
    )


def test_record_value_is_the_bare_data() -> None:
    event = parse_event(load(CONTRACTS / "examples/valid/dossier-result-returned.json"))
    value = json.loads(to_kafka_record(event).value)
    assert value["dossier_id"] == "000.00.31.H48-250301-0042"
    assert "specversion" not in value


def test_events_of_one_dossier_share_a_key() -> None:
    first = load(CONTRACTS / "examples/valid/dossier-accepted-online.json")
    later = json.loads(json.dumps(first))
    later["id"], later["data"]["status"] = "another-id", DossierStatus.PROCESSING
    assert parse_event(first).partition_key() == parse_event(later).partition_key()


def test_indicator_reports_are_keyed_by_indicator_org_unit_and_period() -> None:
    event = parse_event(load(CONTRACTS / "examples/valid/indicator-5g-quarterly.json"))
    assert event.partition_key() == "MOBILE_5G_POP_COVERAGE|quang-ngai|2025-Q3"


def test_time_is_kept_with_its_offset() -> None:
    event = parse_event(load(CONTRACTS / "examples/valid/feedback-opened.json"))
    assert event.time == datetime(2025, 5, 6, 0, 45, tzinfo=UTC)


def test_every_event_type_is_versioned_and_bound_to_a_known_topic() -> None:
    for model in EVENT_MODELS:
        assert type_name(model).startswith("vn.ioc.")
        assert type_name(model).endswith(".v1")
        assert model.topic in ALL_TOPICS


def test_committed_schemas_and_asyncapi_match_the_models() -> None:
    assert generate_main(["--check"]) == 0, "run `python -m tools.contracts` and commit"


def test_asyncapi_document_is_valid_asyncapi_3() -> None:
    schema = json.loads(ASYNCAPI_SCHEMA.read_text("utf-8"))
    document = yaml.safe_load((CONTRACTS / "asyncapi.yaml").read_text("utf-8"))
    jsonschema.Draft7Validator(schema).validate(document)
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == {t.name for t in ALL_TOPICS}
    assert set(document["components"]["messages"]) == {m.__name__ for m in EVENT_MODELS} | {
        "KpiSnapshot",
        "DeadLetter",
        "AlertChange",
    }
