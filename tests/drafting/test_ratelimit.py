"""The per-provider rate limit: requests and tokens per minute, shared through Redis."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from drafting.ratelimit import LocalLines, RateLimiter, RedisLines


class Clock:
    def __init__(self, now: float = 1_000_040.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def limiter(clock: Clock, **limits: int) -> RateLimiter:
    return RateLimiter(
        f"test-{uuid.uuid4().hex}",
        requests_per_minute=limits.get("rpm", 0),
        tokens_per_minute=limits.get("tpm", 0),
        lines=LocalLines(clock),
        sleep=clock.sleep,
    )


def test_requests_are_spaced_to_the_limit() -> None:
    clock = Clock()
    limit = limiter(clock, rpm=30)  # one every 2 s
    for _ in range(4):
        limit.acquire(10)
    assert clock.sleeps == [2.0, 2.0, 2.0]
    assert limit.waited == pytest.approx(6.0)
    # Time that passed without requests is not saved up for a burst.
    clock.now += 60
    limit.acquire(10)
    limit.acquire(10)
    assert clock.sleeps[-1] == 2.0 and len(clock.sleeps) == 4


def test_no_window_lets_twice_the_limit_through() -> None:
    """Any 60 s holds at most the limit (plus the request starting the minute)."""
    clock = Clock(now=1_000_079.0)  # one second before a minute's boundary
    limit = limiter(clock, rpm=10)
    sent = []
    for _ in range(25):
        limit.acquire(1)
        sent.append(clock.now)
    for first in sent:
        assert sum(first <= t < first + 60 for t in sent) <= 10


def test_tokens_take_their_share_of_the_minute_and_are_settled() -> None:
    clock = Clock()
    limit = limiter(clock, tpm=6000)  # 100 tokens a second
    limit.acquire(600)  # reserves 6 s
    limit.settle(600, 200)  # the provider reported 200: 4 s given back
    limit.acquire(100)
    assert clock.sleeps == [2.0]


def test_no_limits_means_no_waiting() -> None:
    clock = Clock()
    limit = limiter(clock)
    for _ in range(100):
        limit.acquire(10_000)
    assert clock.sleeps == []


@pytest.mark.redis
def test_workers_share_the_limit_through_redis(settings: Any) -> None:
    import redis

    # Two workers: two clients with their own connections to the same Redis; the waits are
    # recorded, not slept, so the spacing shows in what each is told to wait.
    name = f"shared-{uuid.uuid4().hex}"
    waits: list[float] = []
    workers = [
        RateLimiter(
            name,
            requests_per_minute=60,
            tokens_per_minute=0,
            lines=RedisLines(redis.Redis.from_url(settings.REDIS_URL)),
            sleep=waits.append,
        )
        for _ in range(2)
    ]
    workers[0].acquire(1)
    workers[1].acquire(1)
    workers[0].acquire(1)
    workers[1].acquire(1)
    assert waits == [
        pytest.approx(1.0, abs=0.2),
        pytest.approx(2.0, abs=0.2),
        pytest.approx(3.0, abs=0.2),
    ]
