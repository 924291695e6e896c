"""A producer the broker lost track of is renewed: the send fails once (the caller sends again),
the next goes through a new producer, and the lost one is stopped. Stand-in producers are
handed in by the factory, as every service composes its producer."""

from typing import Any, cast

import pytest
from aiokafka.errors import OutOfOrderSequenceNumber

from infra.producing import RenewableProducer
from tests.kafka_doubles import Producer, first_one_lost

RECORD: Any = ("snapshots", b"ONLINE_DOSSIERS|org:quang-ngai|2025", b"{}", ())


async def test_a_lost_producer_is_renewed_and_the_next_send_goes_through() -> None:
    made: list[Producer] = []
    producer = RenewableProducer(cast(Any, first_one_lost(made)))
    await producer.start()
    with pytest.raises(OutOfOrderSequenceNumber):
        await producer.send_all([RECORD])
    assert (len(made), made[0].stopped) == (2, True)
    assert producer.current is made[1]
    await producer.send_all([RECORD])
    assert made[1].sent == 1


async def test_a_producer_already_renewed_is_not_renewed_twice() -> None:
    made: list[Producer] = []
    producer = RenewableProducer(cast(Any, first_one_lost(made)))
    await producer.start()
    lost = producer.current
    assert lost is not None
    await producer.renew(lost)
    await producer.renew(lost)  # a second caller that saw the same failure
    assert len(made) == 2
