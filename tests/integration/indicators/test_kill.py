"""The indicators worker killed with SIGKILL mid-stream must, once restarted, count every
event exactly once (the state and the consumer offsets are written at different moments)."""

import random
import signal
import uuid

import pytest

from tests.integration.indicators.test_worker import (
    PROVINCE_YEAR,
    Stack,
    dossier,
    expected,
    wait_for_denominator,
)
from tests.integration.indicators.test_worker import stack as stack  # the fixture

EVENTS = 10_000


async def test_kill_9_mid_stream_then_restart_counts_every_event_once(stack: Stack) -> None:
    rng = random.Random(2)
    events = [dossier(i, rng) for i in range(EVENTS)]
    await stack.publish(events)
    prefix, app_id = f"{stack.prefix}kpi:", f"w-{uuid.uuid4().hex[:6]}"
    worker = stack.start_worker(app_id, prefix)
    # Killed at its first sign of progress: a fast worker is through 4,000 events in 0.2 s.
    partial = await wait_for_denominator(stack.redis_url, prefix, PROVINCE_YEAR, 1, every=0.01)
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    assert partial["denominator"] < EVENTS, "the worker finished before it could be killed"

    stack.start_worker(app_id, prefix)
    final = await wait_for_denominator(stack.redis_url, prefix, PROVINCE_YEAR, EVENTS, within=120)
    assert final["denominator"] == EVENTS  # reached, and not overshot by a double count
    assert final["value"] == pytest.approx(expected(events, PROVINCE_YEAR))
