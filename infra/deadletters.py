"""The dead-letter topic's records: a record a consumer could not process, unchanged, with why
and where it came from in headers, so an operator can read it, fix the cause and replay it."""

import logging
from collections.abc import Awaitable, Callable, Sequence

from infra.kafka import Consumed
from infra.producing import OutgoingRecord

log = logging.getLogger(__name__)
REASON_LIMIT = 500  # characters of the reason kept: a header, not a log


def dead_letter(
    record: Consumed, reason: str, consumer: str, dead_letter_topic: str
) -> OutgoingRecord:
    log.warning(
        "dead letter %s/%s@%s (%s): %s",
        record.topic,
        record.partition,
        record.offset,
        consumer,
        reason,
    )
    headers = [
        *record.headers,
        ("ioc_dlq_reason", reason[:REASON_LIMIT].encode()),
        ("ioc_dlq_topic", record.topic.encode()),
        ("ioc_dlq_partition", str(record.partition).encode()),
        ("ioc_dlq_offset", str(record.offset).encode()),
        ("ioc_dlq_consumer", consumer.encode()),
    ]
    return (dead_letter_topic, record.key, record.value or b"", headers)


def unreadable(error: BaseException) -> str:
    """The reason for a record that raised this while it was read or applied."""
    return f"{type(error).__name__}: {error}"[:REASON_LIMIT]


SendAll = Callable[[Sequence[OutgoingRecord]], Awaitable[None]]


class DeadLetters:
    """A consumer's way to the dead-letter topic: `send` returns once the broker has them, so
    the consumer may then move past the records."""

    def __init__(self, send_all: SendAll, topic: str, consumer: str) -> None:
        self._send_all, self._topic, self._consumer = send_all, topic, consumer

    async def send(self, failed: Sequence[tuple[Consumed, str]]) -> None:
        """(record, reason) pairs."""
        if failed:
            await self._send_all(
                [dead_letter(record, why, self._consumer, self._topic) for record, why in failed]
            )
