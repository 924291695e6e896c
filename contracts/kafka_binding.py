"""CloudEvents Kafka protocol binding, binary content mode: the record value is `data`, every
other attribute is a `ce_<name>` header (`content-type` for datacontenttype), so any Kafka
consumer can read the attributes without parsing the value. Pure: no Kafka client here."""

import json
from collections.abc import Iterable
from typing import NamedTuple

from contracts.envelope import CloudEvent
from contracts.registry import EVENT_ADAPTER, AnyEvent


class KafkaRecord(NamedTuple):  # made for every event ingested: a tuple is the cheapest
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


# The attributes every event has the same value for (their contracts fix them to one literal).
_CONSTANT_HEADERS = (("content-type", b"application/json"), ("ce_specversion", b"1.0"))


def to_kafka_record(event: CloudEvent) -> KafkaRecord:
    # Built in one expression: at thousands of events a second, each step here shows.
    headers: tuple[tuple[str, bytes], ...] = (
        *_CONSTANT_HEADERS,
        ("ce_id", event.id.encode()),
        ("ce_source", event.source.encode()),
        ("ce_type", event.type.encode()),
        ("ce_time", event.time.isoformat().encode()),
    )
    if event.subject is not None or event.dataschema is not None or event.__pydantic_extra__:
        headers += _optional_headers(event)
    data = event.data
    return KafkaRecord(
        event.partition_key().encode(),
        data.__pydantic_serializer__.to_json(data, exclude_none=True),
        headers,
    )


def _optional_headers(event: CloudEvent) -> tuple[tuple[str, bytes], ...]:
    optional = {"subject": event.subject, "dataschema": event.dataschema}
    # Extension values travel as strings, as the binding prescribes (a boolean as JSON spells it).
    extensions = (event.__pydantic_extra__ or {}).items()
    named = optional | {name: _header_text(value) for name, value in extensions}
    return tuple((f"ce_{name}", v.encode()) for name, v in named.items() if v is not None)


def _header_text(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_kafka_record(value: bytes, headers: Iterable[tuple[str, bytes]]) -> AnyEvent:
    """Rebuild and validate the event; raises ValueError (pydantic.ValidationError or
    json.JSONDecodeError) for a record that is not a valid IOC event."""
    attributes: dict[str, object] = {}
    for name, raw in headers:
        if name.startswith("ce_"):
            attributes[name[3:]] = raw.decode()
        elif name == "content-type":
            attributes["datacontenttype"] = raw.decode()
    attributes["data"] = json.loads(value)
    return EVENT_ADAPTER.validate_python(attributes)
