"""CloudEvents Kafka protocol binding, binary content mode: the record value is `data`, every
other attribute is a `ce_<name>` header (`content-type` for datacontenttype), so any Kafka
consumer can read the attributes without parsing the value. Pure: no Kafka client here."""

import json
from collections.abc import Iterable
from dataclasses import dataclass

from contracts.envelope import CloudEvent
from contracts.registry import EVENT_ADAPTER, AnyEvent

_OPTIONAL = ("subject", "dataschema")


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


def to_kafka_record(event: CloudEvent) -> KafkaRecord:
    headers = [
        ("content-type", event.datacontenttype.encode()),
        ("ce_specversion", event.specversion.encode()),
        ("ce_id", event.id.encode()),
        ("ce_source", event.source.encode()),
        ("ce_type", event.type.encode()),
        ("ce_time", event.time.isoformat().encode()),
    ]
    for name in _OPTIONAL:
        if (value := getattr(event, name)) is not None:
            headers.append((f"ce_{name}", value.encode()))
    if event.model_extra:  # extension values travel as strings, as the binding prescribes
        headers.extend((f"ce_{name}", str(v).encode()) for name, v in event.model_extra.items())
    return KafkaRecord(
        key=event.partition_key().encode(),
        value=event.data.model_dump_json(exclude_none=True).encode(),
        headers=tuple(headers),
    )


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
