"""Per-agency rate limit: a token bucket counted in events, so a batch weighs what it holds."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    burst: float  # bucket size
    clock: Callable[[], float]
    _tokens: float = field(init=False)
    _updated: float = field(init=False)

    def __post_init__(self) -> None:
        self._tokens, self._updated = self.burst, self.clock()

    def take(self, amount: int) -> float:
        """Take `amount` tokens; returns 0 on success, else the seconds to wait (none taken)."""
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        if amount <= self._tokens:
            self._tokens -= amount
            return 0.0
        if amount > self.burst:
            return math.inf
        return (amount - self._tokens) / self.rate


class RateLimiter:
    """One bucket per agency. Per process: N ingest replicas admit N times the rate."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self._rate, self._burst, self._clock = rate, burst, clock
        self._buckets: dict[str, TokenBucket] = {}

    def wait_for(self, agency: str, events: int) -> float:
        bucket = self._buckets.get(agency)
        if bucket is None:
            bucket = self._buckets[agency] = TokenBucket(self._rate, self._burst, self._clock)
        return bucket.take(events)
