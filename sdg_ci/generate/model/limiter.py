"""Adaptive, prioritised concurrency for one endpoint.

Why: a fixed pool either under-uses a big server or drowns a small one. The limit halves on
overload (429, 503, timeouts; at most once a second, so one burst counts once), grows by one
after a window of successes, and a Retry-After pauses new requests for the whole endpoint.
Waiters are served by priority so that work with the longest remaining chain goes first
(short makespan) and requests sharing a prompt prefix leave together (prefix-cache hits).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time


class AdaptiveLimiter:
    def __init__(self, max_limit: int, min_limit: int = 1):
        self.max_limit = max(1, max_limit)
        self.min_limit = max(1, min(min_limit, self.max_limit))
        self.limit = self.max_limit
        self.in_flight = 0
        self.paused_until = 0.0
        self._waiters: list[tuple[tuple, int, asyncio.Future]] = []
        self._seq = itertools.count()
        self._streak = 0
        self._last_cut = 0.0
        self._timer: asyncio.TimerHandle | None = None

    async def acquire(self, priority: tuple = ()) -> None:
        if not self._waiters and self._can_start():
            self.in_flight += 1
            return
        fut = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._seq), fut))
        self._wake()
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # granted and cancelled at once: hand the slot back
            raise

    def release(self) -> None:
        self.in_flight -= 1
        self._wake()

    def on_success(self) -> None:
        self._streak += 1
        if self._streak >= self.limit and self.limit < self.max_limit:
            self.limit += 1
            self._streak = 0
            self._wake()

    def on_overload(self, retry_after: float | None = None) -> None:
        now = time.monotonic()
        self._streak = 0
        if now - self._last_cut >= 1.0:
            self.limit = max(self.min_limit, self.limit // 2)
            self._last_cut = now
        if retry_after:
            self.paused_until = max(self.paused_until, now + retry_after)

    def _can_start(self) -> bool:
        return self.in_flight < self.limit and time.monotonic() >= self.paused_until

    def _wake(self) -> None:
        while self._waiters and self._can_start():
            _, _, fut = heapq.heappop(self._waiters)
            if fut.done():
                continue
            self.in_flight += 1
            fut.set_result(None)
        wait = self.paused_until - time.monotonic()
        if self._waiters and wait > 0 and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(wait, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._wake()
