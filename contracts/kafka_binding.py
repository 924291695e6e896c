"""CloudEvents Kafka protocol binding, binary content mode: the record value is `data`, every
other attribute is a `ce_<name>` header (`content-type` for datacontenttype), so any Kafka
consumer can read the attributes without parsing the value. Pure: no Kafka client here."""

import json
from collections.abc import Iterable
from dataclasses import dataclass

from contracts.envelope import CloudEvent
from contracts.registry import EVENT_ADAPTER, AnyEvent

_ATTRIBUTES = ("specversion", "id", "source", "type", "time", "subject", "dataschema")


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


def to_kafka_record(event: CloudEvent) -> KafkaRecord:
    headers = [("content-type", event.datacontenttype.encode())]
    for name in _ATTRIBUTES:
        value = getattr(event, name)
        if value is not None:
            text = value.isoformat() if name == "time" else str(value)
            headers.append((f"ce_{name}", text.encode()))
    # Extension values travel as strings, as the binding prescribes for every attribute.
    headers.extend((f"ce_{name}", str(value).encode()) for name, value in event.extensions.items())
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
