"""A requests- and tokens-per-minute limit per provider and model, shared by every worker.

The limiter spaces requests out rather than counting them per calendar minute (which lets
twice the limit through around a minute's boundary): a limit of N requests per minute gives
each request a slot 60/N seconds after the previous one, and a request's tokens take up
tokens × 60/limit seconds of the token budget's time line (the generic cell rate algorithm,
without a burst allowance). A request waits for its slot.

With Redis (REDIS_URL) the time lines live there, updated by one atomic script using Redis's
own clock, so all workers on all machines share them. Without Redis they are per process.
Tokens are reserved from an estimate before the request and corrected after it with the
count the provider reported.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings

# KEYS: the request and token time lines. ARGV: seconds each takes up (0: no limit).
# Returns the seconds to wait before sending, as a string (Lua numbers lose fractions).
_RESERVE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local start = now
for i = 1, 2 do
  local cost = tonumber(ARGV[i])
  if cost > 0 then
    local at = tonumber(redis.call('GET', KEYS[i]) or '0')
    local slot = math.max(now, at)
    redis.call('SET', KEYS[i], tostring(slot + cost), 'EX', 3600)
    start = math.max(start, slot)
  end
end
return tostring(start - now)
"""

_SHIFT = """
local at = tonumber(redis.call('GET', KEYS[1]) or '0')
if at > 0 then redis.call('SET', KEYS[1], tostring(at + tonumber(ARGV[1])), 'EX', 3600) end
return 1
"""


class LocalLines:
    """Time lines in this process (tests, and deployments without Redis)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.lines: dict[str, float] = {}
        self.lock = threading.Lock()

    def reserve(self, keys: tuple[str, str], costs: tuple[float, float]) -> float:
        with self.lock:
            now = self.clock()
            start = now
            for key, cost in zip(keys, costs, strict=True):
                if cost > 0:
                    slot = max(now, self.lines.get(key, 0.0))
                    self.lines[key] = slot + cost
                    start = max(start, slot)
            return start - now

    def shift(self, key: str, seconds: float) -> None:
        with self.lock:
            if key in self.lines:
                self.lines[key] += seconds


class RedisLines:
    def __init__(self, client: Any) -> None:
        self.client = client
        self._reserve = client.register_script(_RESERVE)
        self._shift = client.register_script(_SHIFT)

    def reserve(self, keys: tuple[str, str], costs: tuple[float, float]) -> float:
        return float(self._reserve(keys=list(keys), args=[repr(c) for c in costs]))

    def shift(self, key: str, seconds: float) -> None:
        self._shift(keys=[key], args=[repr(seconds)])


class RateLimiter:
    def __init__(
        self,
        name: str,
        *,
        requests_per_minute: int,
        tokens_per_minute: int,
        lines: LocalLines | RedisLines | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.rpm = requests_per_minute
        self.tpm = tokens_per_minute
        self.lines = lines or LocalLines(clock)
        self.sleep = sleep
        self.waited = 0.0
        self.keys = (f"llm-rate:{name}:requests", f"llm-rate:{name}:tokens")

    def acquire(self, tokens: int) -> None:
        """Wait until a request with about `tokens` tokens may be sent."""
        costs = (
            60.0 / self.rpm if self.rpm else 0.0,
            tokens * 60.0 / self.tpm if self.tpm else 0.0,
        )
        if not any(costs):
            return
        wait = self.lines.reserve(self.keys, costs)
        if wait > 0:
            self.waited += wait
            self.sleep(wait)

    def settle(self, reserved: int, used: int) -> None:
        """Correct the token time line with the tokens the provider reported."""
        if self.tpm and used != reserved:
            self.lines.shift(self.keys[1], (used - reserved) * 60.0 / self.tpm)


@cache
def _redis_lines(url: str) -> RedisLines:
    import redis

    return RedisLines(redis.Redis.from_url(url))


_local: dict[str, LocalLines] = {}


def limiter_for(provider: str, model: str) -> RateLimiter | None:
    rpm, tpm = settings.LLM_REQUESTS_PER_MINUTE, settings.LLM_TOKENS_PER_MINUTE
    if not rpm and not tpm:
        return None
    if settings.REDIS_URL:
        lines: LocalLines | RedisLines = _redis_lines(settings.REDIS_URL)
    else:
        lines = _local.setdefault("lines", LocalLines(time.time))
    return RateLimiter(
        f"{provider}:{model}", requests_per_minute=rpm, tokens_per_minute=tpm, lines=lines
    )
