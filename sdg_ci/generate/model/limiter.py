"""Prioritised concurrency per model server whose limit finds the server's capacity by itself.

Why: a batching server (vLLM, llama.cpp -np N) serves N sequences at once and queues the
rest, and nobody tells us N. A fixed limit either leaves most of a big server idle or piles
requests into a small server's queue. The limit multiplies while throughput grows with it
(like TCP's slow start) and settles where a step stops paying; a step that gained nothing
while latency grew with the requests in flight found the server full already, so the limit
goes back and halves while throughput holds (a small server, below the start limit). Once
steady it now and then probes 25 % up or 10 % down and keeps the change that throughput
supports (in the manner of TCP Vegas). Mean latency alone never moves it: it follows the mix
of stages a window holds as much as any queue.
Overload (429, 503, timeouts) halves it, at most once a second so one burst counts once;
a Retry-After pauses every request to the server. Waiters are served by priority so that
work with the longest remaining chain goes first (short makespan) and requests sharing a
prompt prefix leave together (prefix-cache hits).

The decision rule is Little's law: concurrency = throughput x latency. After a change of the
limit, below the server's capacity throughput moves with it; above, latency does (the extra
requests only queue). So a change paid when throughput moved more than latency did.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable

START_LIMIT = 64  # too high only queues requests at the server; too low idles it
RAMP = 4  # the ramp multiplies the limit by this while it pays
HARD_CEILING = 4096
HEADROOM = 1.25  # where the ramp settles, above the capacity it measured
SATURATED_GAIN = 1.25  # a ramp step gaining less throughput than this (while latency grew
# with the requests in flight) found the server full
PROBE_EVERY = 4  # steady windows between two probes
WINDOW_MIN = 16  # completions a window measures at the least (fewer: noise decides)
DOWN_KEEP = 0.97  # a step down that keeps this share of the throughput is kept
DOWN_MARGIN = 0.15  # or one whose latency fell this much more than its throughput


class CapacityLimiter:
    """`await acquire(priority)` / `release()` around each request; `on_success(latency_s,
    work)` after a good reply, `on_overload(retry_after)` after a 429/503/timeout.
    `ceiling` caps the limit (None: no cap but HARD_CEILING); `fixed` keeps it at `initial`
    (a server whose slots we know, e.g. the embedded one)."""

    def __init__(self, ceiling: int | None = None, initial: int = START_LIMIT,
                 fixed: bool = False, clock: Callable[[], float] = time.monotonic):
        self.ceiling = max(1, min(ceiling or HARD_CEILING, HARD_CEILING))
        self.limit = max(1, min(initial, self.ceiling))
        self.fixed = fixed
        self.paused_until = 0.0
        self.phase = "steady" if fixed else "ramp"  # ramp | steady
        self._clock = clock
        self._waiters: list[tuple[tuple, int, asyncio.Future]] = []
        self._seq = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._last_cut = -1e9
        self._prev: tuple[int, float] | None = None  # (limit, throughput) of the last window
        self._prev_latency = 0.0
        self._last_latency: float | None = None
        self._steady_windows = 0
        self._probe: tuple[int, float] | None = None  # (limit before the probe, its throughput)
        self._probe_latency = 0.0
        self._probes = 0
        self._descend = False  # the ramp found the server full: walk down from here
        self._prev_in_use = 0  # requests in flight at once in the last ramp window
        self.in_flight = 0
        self._window_reset()

    @property
    def waiting(self) -> int:
        """Requests queued here for a slot."""
        return len(self._waiters)

    # -- admission ---------------------------------------------------------------------
    async def acquire(self, priority: tuple = ()) -> None:
        if not self._waiters and self._can_start():
            self.in_flight += 1
            self._peak = max(self._peak, self.in_flight)
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

    # -- signals -----------------------------------------------------------------------
    def on_success(self, latency_s: float = 0.0, work: float = 1.0) -> None:
        """One request finished after `latency_s` seconds; `work` is its size (e.g. tokens)."""
        now = self._clock()
        self._done += 1
        if self._done > self._skip:  # the first completions still reflect the old limit
            self._lat_sum += latency_s
            self._lat_n += 1
            if self._t_first is None:
                self._t_first = now
                self._sat = 0.0
            else:
                self._work += work
                self._t_last = now
        if self._waiters and self._t_mark is not None:
            self._sat += now - self._t_mark
        self._t_mark = now
        if (not self.fixed and self._done >= self._skip + max(WINDOW_MIN, self.limit)
                and self._t_last is not None and self._t_first is not None
                and self._t_last - self._t_first >= self._spans() * self._lat_sum / self._lat_n):
            self._end_window()  # enough completions over a latency or two at the least

    def on_overload(self, retry_after: float | None = None) -> None:
        now = self._clock()
        if now - self._last_cut >= 1.0 and not self.fixed:
            self._set(max(1, self.limit // 2))
            self.phase = "steady"
            self._probe = None
            self._last_cut = now
        if retry_after:
            self.paused_until = max(self.paused_until, now + retry_after)
            self._wake()

    # -- the search --------------------------------------------------------------------
    def _window_reset(self) -> None:
        self._done = 0
        # completions of requests sent under the old limit say nothing about the new one
        self._skip = max(2, self.in_flight)
        self._work = 0.0
        self._t_first: float | None = None
        self._t_last: float | None = None
        self._lat_sum = 0.0
        self._lat_n = 0
        self._sat = 0.0  # time within the window with requests waiting for a slot
        self._peak = self.in_flight  # the most requests in flight at once in the window
        self._t_mark: float | None = None

    def _spans(self) -> float:
        """Latencies a window must span: one while ramping (speed matters most, each step
        multiplies the limit), two once steady (the small steps need sharper figures)."""
        return 1.0 if self.phase == "ramp" else 2.0

    def _end_window(self) -> None:
        first, last = self._t_first, self._t_last
        span = (last - first) if first is not None and last is not None else 0.0
        if span <= 0:
            self._window_reset()
            return
        rate = self._work / span
        limit = self.limit
        latency = self._lat_sum / max(1, self._lat_n)
        if self._sat < 0.8 * span:
            # the limit did not bind (not enough work waiting, e.g. a run's first requests):
            # weak evidence, since latency then also follows the mix of stages; only a ramp
            # step whose latency grew far more than its throughput (the extra requests just
            # queued at the server) ends the ramp
            if (self.phase == "ramp" and self._prev is not None and self._last_latency
                    and _overshot(self._prev[1], self._last_latency, rate, latency)):
                self._prev_latency = self._last_latency
                self._ramp(limit, rate, latency)
                return
            self._window_reset()
            return
        self._prev_latency = self._last_latency if self._last_latency is not None else latency
        self._last_latency = latency
        if self.phase == "ramp":
            self._ramp(limit, rate, latency)
            return
        if self._probe is not None:
            base_limit, base_rate = self._probe
            self._probe = None
            down = limit < base_limit
            if not (_kept_down(base_rate, self._probe_latency, rate, latency) if down else
                    _pays(base_rate, self._probe_latency, rate, latency)):
                self._prev = (base_limit, base_rate)
                self._set(base_limit)
                return
            if limit != base_limit:  # the step paid: take another in the same direction
                self._start_probe(limit, rate, latency, up=limit > base_limit,
                                  down_by=_next_step_down(base_limit, self._probe_latency,
                                                          limit, latency))
                return
        self._prev = (limit, rate)
        self._steady_windows += 1
        if self._descend:
            self._descend = False
            self._start_probe(limit, rate, latency, up=False, down_by=0.5)
            return
        if self._steady_windows % PROBE_EVERY == 0:
            self._probes += 1
            # up and down in turn: a limit above capacity shows no throughput loss, only a
            # step down reveals it. (Not on a rise of mean latency alone: that follows the mix
            # of stages a window happens to hold as much as any queue.) The step down is
            # small: a limit a step too low idles slots, one a step too high only queues a
            # few requests at the server.
            self._start_probe(limit, rate, latency, up=self._probes % 2 == 0, down_by=0.9)
            return
        self._window_reset()

    def _start_probe(self, limit: int, rate: float, latency: float, up: bool,
                     down_by: float = 0.8) -> None:
        if (up and limit >= self.ceiling) or (not up and limit <= 1):
            self._window_reset()
            return
        self._probe = (limit, rate)
        self._probe_latency = latency
        self._set(max(limit + 1, round(limit * 1.25)) if up else
                  min(limit - 1, round(limit * down_by)))

    def _ramp(self, limit: int, rate: float, latency: float) -> None:
        in_use = min(limit, self._peak)  # the limit may not have bound
        if self._prev is None:
            self._prev = (limit, rate)
            self._prev_in_use = in_use
            self._set(limit * RAMP)
            return
        prev_limit, prev_rate = self._prev
        if _pays(prev_rate, self._prev_latency, rate, latency) and limit < self.ceiling:
            self._prev = (limit, rate)
            self._prev_in_use = in_use
            self._set(limit * RAMP)
            return
        gain = min(max(rate / prev_rate, 1.0), RAMP) if prev_rate > 0 else RAMP
        self.phase = "steady"
        grew = in_use / max(1, self._prev_in_use)
        if gain < SATURATED_GAIN and grew > 1 and latency >= 0.75 * grew * self._prev_latency:
            # no gain, and latency grew with the limit: every extra request only queued, so
            # the server was full at the previous limit already and its capacity may lie far
            # below it (a small server met by the start limit); go back there, measure it
            # steadily (a ramp window's figures are rough) and walk down, halving while that
            # costs no throughput
            self._descend = True
            self._set(prev_limit)
            return
        # the capacity lies between the two limits, where the gain says; settle a quarter
        # above it (too high only queues a few requests at the server, too low idles its
        # slots), then walk down while throughput holds
        self._prev = (limit, rate)
        # (never below half the step: one window's throughput is noisy, and settling too
        # low costs more than settling too high)
        self._set(round(min(max(prev_limit * gain * HEADROOM, limit / 2), limit)))

    def _set(self, limit: int) -> None:
        self.limit = max(1, min(int(limit), self.ceiling))
        self._window_reset()
        self._wake()

    # -- plumbing ----------------------------------------------------------------------
    def _can_start(self) -> bool:
        return self.in_flight < self.limit and self._clock() >= self.paused_until

    def _wake(self) -> None:
        while self._waiters and self._can_start():
            _, _, fut = heapq.heappop(self._waiters)
            if fut.done():
                continue
            self.in_flight += 1
            self._peak = max(self._peak, self.in_flight)
            fut.set_result(None)
        wait = self.paused_until - self._clock()
        if self._waiters and wait > 0 and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(wait, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._wake()


def _pays(rate0: float, latency0: float, rate1: float, latency1: float) -> bool:
    """Did a change of the limit pay? Throughput moved more than latency (Little's law)."""
    if rate0 <= 0 or latency0 <= 0 or latency1 <= 0:
        return False
    return rate1 / rate0 > latency1 / latency0


def _overshot(rate0: float, latency0: float, rate1: float, latency1: float) -> bool:
    """Clear evidence that a ramp step went past the server's capacity although our limit
    did not bind: throughput hardly moved while latency grew by half or more beyond it."""
    if rate0 <= 0 or latency0 <= 0:
        return False
    gain = rate1 / rate0
    return gain < SATURATED_GAIN and latency1 / latency0 > 1.5 * gain


def _next_step_down(limit0: int, latency0: float, limit1: int, latency1: float) -> float:
    """After a step down that was kept, how far the next one goes: the descent after a ramp
    that found the server full goes on halving while latency falls with the limit (every
    request held back had only waited in the server's queue); otherwise a longer step when
    latency fell clearly, else a short one (a short step's latency is mostly noise)."""
    if latency0 <= 0 or limit0 <= 0:
        return 0.8
    if limit1 <= 0.55 * limit0 and latency1 / latency0 <= 1.1 * limit1 / limit0:
        return 0.5
    return 0.65 if latency1 < 0.85 * latency0 else 0.8


def _kept_down(rate0: float, latency0: float, rate1: float, latency1: float) -> bool:
    """A step down is kept when it cost (almost) no throughput, or when latency fell clearly
    more than throughput did (the requests we hold back only queued at the server). Kept
    only on clear evidence: a batching server with a request or two queued stays busy
    between replies, one a slot short does not."""
    if rate0 <= 0 or latency0 <= 0:
        return False
    return rate1 >= DOWN_KEEP * rate0 or rate1 / rate0 - latency1 / latency0 > DOWN_MARGIN
