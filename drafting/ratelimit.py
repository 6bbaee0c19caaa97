"""A requests- and tokens-per-minute limit per provider, shared by every worker.

Counts live in the cache (Redis in production, where INCR is atomic across processes) in one
bucket per calendar minute. A request that would pass a limit waits for the next minute. Tokens
are reserved from an estimate before the request and corrected with the provider's count after.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import BaseCache, cache

WINDOW = 60


class RateLimiter:
    def __init__(
        self,
        name: str,
        *,
        requests_per_minute: int,
        tokens_per_minute: int,
        store: BaseCache | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.rpm = requests_per_minute
        self.tpm = tokens_per_minute
        self.store = store or cache
        self.clock = clock
        self.sleep = sleep
        self.waited = 0.0
        self._window: int | None = None

    def _key(self, window: int, what: str) -> str:
        return f"llm-rate:{self.name}:{window}:{what}"

    def _add(self, key: str, amount: int) -> int:
        self.store.add(key, 0, timeout=WINDOW * 3)
        return self.store.incr(key, amount)

    def acquire(self, tokens: int) -> None:
        if not self.rpm and not self.tpm:
            return
        while True:
            now = self.clock()
            window = int(now // WINDOW)
            admitted = True
            counted_request = False
            if self.rpm:
                counted_request = True
                if self._add(self._key(window, "req"), 1) > self.rpm:
                    admitted = False
            if admitted and self.tpm:
                total = self._add(self._key(window, "tok"), tokens)
                # One request bigger than the whole limit still runs, alone in its minute.
                if total > self.tpm and total != tokens:
                    admitted = False
                    self.store.decr(self._key(window, "tok"), tokens)
            if admitted:
                self._window = window
                return
            if counted_request:
                self.store.decr(self._key(window, "req"), 1)
            pause = WINDOW - (now % WINDOW) + 0.05
            self.waited += pause
            self.sleep(pause)

    def settle(self, reserved: int, used: int) -> None:
        """Replace the estimate with the tokens the provider reported, in the same minute."""
        if not self.tpm or self._window is None or used == reserved:
            return
        key = self._key(self._window, "tok")
        try:
            if used > reserved:
                self.store.incr(key, used - reserved)
            else:
                self.store.decr(key, reserved - used)
        except ValueError:
            pass  # the minute's bucket has expired: nothing left to correct


def limiter_for(provider: str, model: str) -> RateLimiter | None:
    if not settings.LLM_REQUESTS_PER_MINUTE and not settings.LLM_TOKENS_PER_MINUTE:
        return None
    return RateLimiter(
        f"{provider}:{model}",
        requests_per_minute=settings.LLM_REQUESTS_PER_MINUTE,
        tokens_per_minute=settings.LLM_TOKENS_PER_MINUTE,
    )
