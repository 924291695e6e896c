"""When the worker publishes snapshots: at once when idle, seldom while catching up, within
the interval when live."""

from services.indicators.worker import SnapshotPacing

PACING = SnapshotPacing(live_seconds=0.5, catching_up_seconds=5.0)


def test_idle_publishes_at_once() -> None:
    assert PACING.due(fetched=False, unread=0, since_last=0.0)


def test_live_publishes_within_its_interval() -> None:
    assert not PACING.due(fetched=True, unread=0, since_last=0.4)
    assert PACING.due(fetched=True, unread=0, since_last=0.5)


def test_catching_up_publishes_seldom() -> None:
    assert not PACING.due(fetched=True, unread=40_000, since_last=4.9)
    assert not PACING.due(fetched=False, unread=1, since_last=1.0)  # a fetch on its way
    assert PACING.due(fetched=True, unread=40_000, since_last=5.0)
