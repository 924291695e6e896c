"""The desk takes back from the book a change the history topic did not take: the next
evaluation makes it again instead of it living in memory only (lost on restart)."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from domain.alerts.book import AlertBook
from domain.alerts.model import AlertChange, Condition
from services.alerts.desk import AlertDesk

FIRING = Condition(labels={"kind": "target_risk", "target": "dti"}, firing=True)
NOW = datetime(2025, 7, 15, tzinfo=UTC)


class History:
    """The store, down while `down` is set (a broker outage)."""

    def __init__(self) -> None:
        self.down, self.recorded = True, list[AlertChange]()

    async def record(self, changes: Sequence[AlertChange]) -> None:
        if self.down:
            raise ConnectionError("broker unreachable")
        self.recorded += changes


class Receivers:
    def offer(self, _: Any) -> None:
        pass


async def test_a_change_not_recorded_is_made_again_once_the_history_takes_it() -> None:
    book, history = AlertBook(), History()
    desk = AlertDesk(book, cast(Any, history), cast(Any, Receivers()))
    with pytest.raises(ConnectionError):
        await desk.observe([FIRING], NOW)
    assert book.alerts == {}
    history.down = False
    await desk.observe([FIRING], NOW)
    assert [c.action for c in history.recorded] == ["fired"]
    assert book.alerts[FIRING.fingerprint] == history.recorded[0].alert
