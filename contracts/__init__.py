"""IOC event contracts: the CloudEvents envelope, the event types agencies publish, the Kafka
topics they travel on, and their binary-mode Kafka encoding. See VERSIONING.md."""

from contracts.dossier import Channel, Dossier, DossierStatus, DossierStatusChanged, OnlineLevel
from contracts.envelope import CloudEvent, Payload
from contracts.feedback import Feedback, FeedbackAnswered, FeedbackClosed, FeedbackOpened
from contracts.indicator import IndicatorReport, IndicatorValueReported
from contracts.kafka_binding import KafkaRecord, from_kafka_record, to_kafka_record
from contracts.registry import (
    EVENT_MODELS,
    MODELS_BY_TYPE,
    AnyEvent,
    error_message,
    field_path,
    parse_event,
    parse_events,
    published_schema,
    type_name,
)
from contracts.topics import ALL_TOPICS, DOSSIER_EVENTS, FEEDBACK_EVENTS, INDICATOR_REPORTS, Topic

__all__ = [
    "ALL_TOPICS",
    "DOSSIER_EVENTS",
    "EVENT_MODELS",
    "FEEDBACK_EVENTS",
    "INDICATOR_REPORTS",
    "MODELS_BY_TYPE",
    "AnyEvent",
    "Channel",
    "CloudEvent",
    "Dossier",
    "DossierStatus",
    "DossierStatusChanged",
    "Feedback",
    "FeedbackAnswered",
    "FeedbackClosed",
    "FeedbackOpened",
    "IndicatorReport",
    "IndicatorValueReported",
    "KafkaRecord",
    "OnlineLevel",
    "Payload",
    "Topic",
    "error_message",
    "field_path",
    "from_kafka_record",
    "parse_event",
    "parse_events",
    "published_schema",
    "to_kafka_record",
    "type_name",
]
