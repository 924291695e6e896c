"""Waiting out a dependency that is down (Kafka, Redis): the call is made again, with a doubling
delay up to a cap, until it answers. Nothing moves on meanwhile, so nothing is acknowledged."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


async def until_done(
    what: str,
    call: Callable[[], Awaitable[T]],
    retry_on: tuple[type[BaseException], ...],
    longest_wait: float = 5.0,
) -> T:
    delay = 0.2
    while True:
        try:
            return await call()
        except retry_on as e:
            log.warning("could not %s (%s); retrying in %.1fs", what, e, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, longest_wait)
