"""The worker replaces a snapshot producer the broker lost track of: the publish fails once (and
is made again), the next one goes through a new producer."""

from typing import Any

import pytest
from aiokafka.errors import OutOfOrderSequenceNumber

from infra import kafka
from services.indicators import worker as module
from services.indicators.settings import IndicatorsSettings
from tests.kafka_doubles import Producer, first_one_lost

SNAPSHOT: Any = ("snapshots", b"ONLINE_DOSSIERS|org:quang-ngai|2025", b"{}", ())


async def test_a_lost_snapshot_producer_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Producer] = []
    new_producer = first_one_lost(made)
    monkeypatch.setattr(module, "new_producer", new_producer)
    monkeypatch.setattr(kafka, "new_producer", new_producer)  # the successor's
    settings = IndicatorsSettings(
        kafka_bootstrap_servers="127.0.0.1:9", redis_url="redis://127.0.0.1:9/0"
    )
    worker = module.Worker(settings)
    with pytest.raises(OutOfOrderSequenceNumber):
        await worker._send_all([SNAPSHOT])
    assert (len(made), made[0].stopped) == (2, True)
    await worker._send_all([SNAPSHOT])
    assert made[1].sent == 1
