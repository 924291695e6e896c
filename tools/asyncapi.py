"""The AsyncAPI 3.0 document of IOC's topics: each topic a channel, each event type a message
with its CloudEvents headers (binary mode) and its payload schema, and IOC's own records (KPI
snapshots, dead letters, alert changes)."""

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from contracts.envelope import CloudEvent
from contracts.kpi import KpiSnapshot
from contracts.registry import EVENT_MODELS, type_name
from contracts.topics import ALERT_CHANGES, ALL_TOPICS, DEAD_LETTERS, KPI_SNAPSHOTS, Topic
from domain.alerts.model import AlertChange

CONTRACTS_VERSION = "1.0.0"
KAFKA_BINDING_VERSION = "0.5.0"


def _camel(name: str) -> str:
    head, *rest = name.replace("-", ".").split(".")[1:]  # drop the "ioc" prefix
    return head + "".join(part.capitalize() for part in rest if not part.startswith("v"))


def _headers_schema(model: type[CloudEvent]) -> dict[str, Any]:
    def text(description: str) -> dict[str, Any]:
        return {"type": "string", "description": description}

    return {
        "type": "object",
        "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time"],
        "properties": {
            "content-type": {"type": "string", "const": "application/json"},
            "ce_specversion": {"type": "string", "const": "1.0"},
            "ce_id": text("Event id, unique within its source."),
            "ce_source": text("URI-reference of the publishing agency system."),
            "ce_type": {"type": "string", "const": type_name(model)},
            "ce_time": text("Event time at the agency, RFC 3339."),
            "ce_subject": text("Optional subject."),
            "ce_traceparent": text("W3C trace context, when the publisher sent one."),
        },
    }


def _message(model: type[CloudEvent], payload_ref: str) -> dict[str, Any]:
    return {
        "name": type_name(model),
        "title": model.__name__,
        "summary": (model.__doc__ or model.__name__).strip().splitlines()[0],
        "contentType": "application/json",
        "headers": _headers_schema(model),
        "payload": {"$ref": payload_ref},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": model.topic.key},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _channel(topic: Topic, names: list[str]) -> dict[str, Any]:
    topic_config: dict[str, Any] = {}
    if "cleanup.policy" in topic.config:
        topic_config["cleanup.policy"] = topic.config["cleanup.policy"].split(",")
    if "retention.ms" in topic.config:
        topic_config["retention.ms"] = int(topic.config["retention.ms"])
    return {
        "address": topic.name,
        "summary": topic.summary,
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in names},
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "partitions": topic.partitions,
                "topicConfiguration": topic_config,
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _payload_model(model: type[CloudEvent]) -> type[BaseModel]:
    payload = model.model_fields["data"].annotation
    if not (isinstance(payload, type) and issubclass(payload, BaseModel)):
        raise TypeError(f"{model.__name__}.data must be a pydantic model")
    return payload


DEAD_LETTER_MESSAGE: dict[str, Any] = {
    "name": "dead-letter",
    "title": "DeadLetter",
    "summary": "A record a consumer could not process: its value and headers unchanged.",
    "contentType": "application/octet-stream",
    "headers": {
        "type": "object",
        "required": ["ioc_dlq_reason", "ioc_dlq_topic", "ioc_dlq_partition", "ioc_dlq_offset"],
        "properties": {
            "ioc_dlq_reason": {"type": "string", "description": "Why it was refused."},
            "ioc_dlq_topic": {"type": "string"},
            "ioc_dlq_partition": {"type": "string"},
            "ioc_dlq_offset": {"type": "string"},
            "ioc_dlq_consumer": {"type": "string", "description": "The consumer group."},
        },
    },
    "payload": {"description": "The original record value, unchanged."},
}


def _json_message(name: str, model: type[BaseModel], topic: Topic, ref: str) -> dict[str, Any]:
    return {
        "name": name,
        "title": model.__name__,
        "summary": (model.__doc__ or "").strip().splitlines()[0],
        "contentType": "application/json",
        "payload": {"$ref": ref},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": topic.key},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def asyncapi_document() -> dict[str, Any]:
    """AsyncAPI 3.0 description of every topic and message: the binary-mode Kafka records."""
    payloads: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        *((_payload_model(m), "validation") for m in EVENT_MODELS),
        (KpiSnapshot, "serialization"),
        (AlertChange, "serialization"),
    ]
    refs, defs = models_json_schema(payloads, ref_template="#/components/schemas/{model}")
    messages: dict[str, Any] = {
        m.__name__: _message(m, refs[(_payload_model(m), "validation")]["$ref"])
        for m in EVENT_MODELS
    }
    messages["KpiSnapshot"] = _json_message(
        "kpi-snapshot", KpiSnapshot, KPI_SNAPSHOTS, refs[(KpiSnapshot, "serialization")]["$ref"]
    )
    messages["AlertChange"] = _json_message(
        "alert-change", AlertChange, ALERT_CHANGES, refs[(AlertChange, "serialization")]["$ref"]
    )
    messages["DeadLetter"] = DEAD_LETTER_MESSAGE
    on_topic: dict[str, list[str]] = {
        KPI_SNAPSHOTS.name: ["KpiSnapshot"],
        DEAD_LETTERS.name: ["DeadLetter"],
        ALERT_CHANGES.name: ["AlertChange"],
    }
    for model in EVENT_MODELS:
        on_topic.setdefault(model.topic.name, []).append(model.__name__)
    channels, operations = {}, {}
    for topic in ALL_TOPICS:
        key = _camel(topic.name)
        names = on_topic.get(topic.name, [])
        channels[key] = _channel(topic, names)
        message_refs = [{"$ref": f"#/channels/{key}/messages/{name}"} for name in names]
        for action, verb in (("send", "publish"), ("receive", "consume")):
            operations[f"{verb}{key[0].upper()}{key[1:]}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{key}"},
                "summary": f"{'Producers' if action == 'send' else 'Consumers'} of {topic.name}.",
                "messages": message_refs,
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "IOC event streams",
            "version": CONTRACTS_VERSION,
            "description": "Events published by agency systems through the IOC ingest API and "
            "written to Kafka in CloudEvents binary content mode: the record value is the "
            "event's `data`, its attributes are `ce_*` headers. Structured-mode JSON Schemas of "
            "each event are in contracts/schemas/. The indicators service publishes KPI "
            "snapshots; consumers send records they cannot process to the dead-letter topic. "
            "Versioning: contracts/VERSIONING.md.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "The local broker started by `make up`.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": defs["$defs"]},
    }
