import math

from services.ingest.ratelimit import RateLimiter, TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bucket_admits_a_burst_then_refills_at_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=10, burst=20, clock=clock)
    assert bucket.take(20) == 0
    assert bucket.take(5) == 0.5  # five tokens at ten per second
    clock.now = 0.5
    assert bucket.take(5) == 0


def test_refused_take_removes_nothing() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=1, burst=3, clock=clock)
    assert bucket.take(4) == math.inf
    assert bucket.take(3) == 0


def test_agencies_have_separate_buckets() -> None:
    limiter = RateLimiter(rate=1, burst=2, clock=Clock())
    assert limiter.wait_for("so-y-te", 2) == 0
    assert limiter.wait_for("so-y-te", 1) > 0
    assert limiter.wait_for("so-tu-phap", 2) == 0
