"""The per-provider rate limit: requests and tokens per minute, shared through the cache."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from drafting.ratelimit import RateLimiter


class Clock:
    def __init__(self, now: float = 1_000_040.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 2))
        self.now += seconds


def limiter(clock: Clock, store: Any = None, **limits: int) -> RateLimiter:
    return RateLimiter(
        f"test-{uuid.uuid4().hex}",
        requests_per_minute=limits.get("rpm", 0),
        tokens_per_minute=limits.get("tpm", 0),
        store=store,
        clock=clock,
        sleep=clock.sleep,
    )


def test_requests_past_the_limit_wait_for_the_next_minute() -> None:
    clock = Clock()  # 20 s into a minute
    limit = limiter(clock, rpm=2)
    limit.acquire(10)
    limit.acquire(10)
    assert clock.sleeps == []
    limit.acquire(10)
    assert clock.sleeps == [40.05]
    assert limit.waited == pytest.approx(40.05)


def test_tokens_are_reserved_then_settled_to_what_was_used() -> None:
    clock = Clock()
    limit = limiter(clock, tpm=1000)
    limit.acquire(600)
    limit.settle(600, 200)  # the provider reported fewer
    limit.acquire(700)
    assert clock.sleeps == []
    limit.acquire(200)  # 900 + 200 > 1000
    assert clock.sleeps == [40.05]


def test_one_request_larger_than_the_limit_still_runs_alone() -> None:
    clock = Clock()
    limit = limiter(clock, tpm=100)
    limit.acquire(500)
    assert clock.sleeps == []


def test_no_limits_means_no_bookkeeping() -> None:
    clock = Clock()
    limit = limiter(clock)
    for _ in range(100):
        limit.acquire(10_000)
    assert clock.sleeps == []


@pytest.mark.redis
def test_workers_share_the_limit_through_redis(settings: Any) -> None:
    from django.core.cache.backends.redis import RedisCache

    # Two workers: two clients with their own connections to the same Redis.
    name = f"shared-{uuid.uuid4().hex}"
    clock = Clock()
    workers = [
        RateLimiter(
            name,
            requests_per_minute=3,
            tokens_per_minute=0,
            store=RedisCache(settings.REDIS_URL, {}),
            clock=clock,
            sleep=clock.sleep,
        )
        for _ in range(2)
    ]
    workers[0].acquire(1)
    workers[1].acquire(1)
    workers[0].acquire(1)
    assert clock.sleeps == []
    workers[1].acquire(1)
    assert clock.sleeps == [40.05]
