"""A history producer the broker lost track of is renewed: the change is refused once (the desk
makes it again), and the next one goes through a new producer."""

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from aiokafka.errors import OutOfOrderSequenceNumber

from domain.alerts.book import AlertBook
from domain.alerts.model import Condition
from infra import kafka
from services.alerts import store as module
from services.alerts.store import AlertStore
from tests.kafka_doubles import Producer, first_one_lost


async def test_a_lost_history_producer_is_renewed(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Producer] = []
    new_producer = first_one_lost(made)
    monkeypatch.setattr(module, "new_producer", new_producer)
    monkeypatch.setattr(kafka, "new_producer", new_producer)  # the successor's
    store = AlertStore("127.0.0.1:9", "history", cast(Any, None), "t:")
    await store.start()
    condition = Condition(labels={"kind": "target_risk", "target": "dti"}, firing=True)
    change = AlertBook().observe(condition, datetime(2025, 7, 15, tzinfo=UTC))
    assert change is not None
    with pytest.raises(OutOfOrderSequenceNumber):
        await store.record([change])
    assert len(made) == 2
    assert made[0].stopped
    assert store._producer is made[1]
