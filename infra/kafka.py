"""Kafka clients configured once, with the reasons, for every service, test and benchmark;
sending records is infra/producing.py's."""

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import cache
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    InvalidProducerEpoch,
    KafkaError,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    UnknownProducerId,
)
from aiokafka.helpers import create_ssl_context

from contracts.topics import Topic
from infra.settings import KafkaSecurity

log = logging.getLogger(__name__)
_TOPIC_ALREADY_EXISTS = 36
# The broker no longer accepts a producer's sequence numbers (seen after a broker restart): the
# batch was not written, and aiokafka's sender has stopped for good. Only a new producer (a new
# producer id) sends again.
PRODUCER_LOST = (OutOfOrderSequenceNumber, UnknownProducerId, InvalidProducerEpoch, ProducerFenced)


def new_producer(bootstrap_servers: str, **overrides: Any) -> AIOKafkaProducer:
    """A producer whose acknowledgement means the record is durable and written once.

    aiokafka defaults to acks=1, which loses acknowledged records when a leader fails;
    idempotence implies acks=all and lets the broker drop duplicates of producer retries.
    """
    options: dict[str, Any] = {
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,  # a short wait fills batches under load at little latency cost
        # 16 KiB (the default) holds ~30 events: fewer, larger requests double the throughput.
        # Also the largest record a producer can send: above ingest's 256 KiB event limit.
        "max_batch_size": 512 * 1024,
        "request_timeout_ms": 15_000,
    }
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, **(options | security_options() | overrides)
    )


class Consumed(Protocol):
    """A record as consumed: aiokafka's ConsumerRecord is one, taken as it comes."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...  # None: a tombstone
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...


async def broker_answers(client: AIOKafkaProducer) -> bool:
    """Whether the cluster answers a metadata request now: readiness asks the broker itself, so a
    stopped broker shows at once (a client only notices at its next request or refresh)."""
    try:
        await asyncio.wait_for(client.client.fetch_all_metadata(), 2.0)
    except (KafkaError, OSError, TimeoutError):
        return False
    return True


def new_consumer(
    bootstrap_servers: str, *topics: str, group_id: str | None, **overrides: Any
) -> AIOKafkaConsumer:
    """A consumer that commits only what the caller has processed.

    `earliest`: a new group starts from the beginning of history, otherwise a cold start would
    silently skip every event published before it joined.
    """
    options: dict[str, Any] = {
        "auto_offset_reset": "earliest",
        "enable_auto_commit": False,
        "isolation_level": "read_committed",
    }
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        **(options | security_options() | overrides),
    )


@cache
def security_options() -> dict[str, Any]:
    """The client options of `KafkaSecurity` (from the environment, read once per process)."""
    security = KafkaSecurity()
    options: dict[str, Any] = {"security_protocol": security.security_protocol}
    if security.security_protocol.startswith("SASL"):
        options |= {
            "sasl_mechanism": security.sasl_mechanism,
            "sasl_plain_username": security.sasl_username,
            "sasl_plain_password": (
                security.sasl_password.get_secret_value() if security.sasl_password else None
            ),
        }
    if security.security_protocol.endswith("SSL"):
        options["ssl_context"] = create_ssl_context(cafile=security.ssl_cafile)
    return options


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[Topic], replication_factor: int = 1, prefix: str = ""
) -> list[str]:
    """Create the topics (named `prefix + topic.name`) that do not exist yet; returns those
    created."""
    topics = [replace(t, name=prefix + t.name) for t in topics]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **security_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [
                NewTopic(t.name, t.partitions, replication_factor, topic_configs=dict(t.config))
                for t in missing
            ]
        )
        failures = [
            f"{name}: {message or code}"
            for name, code, message in response.topic_errors
            if code not in (0, _TOPIC_ALREADY_EXISTS)
        ]
        if failures:
            raise RuntimeError("could not create topics: " + "; ".join(failures))
        return [t.name for t in missing]
    finally:
        await admin.close()
