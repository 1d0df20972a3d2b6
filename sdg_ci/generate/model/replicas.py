"""Several servers of one model: each request goes to the least-loaded live replica.

Why: a model served by several vLLM replicas (or several GPUs' llama.cpp) is one endpoint
to the pipeline; each replica has its own capacity (its own limiter) and its own health. A
replica that is gone (connection refused, 502/503) is rested, and tried again when its rest
is over; the others carry the run meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sdg_ci.generate.model.limiter import CapacityLimiter
from sdg_ci.generate.model.senders import Sender

REST_S = 2.0  # a failing replica's first rest; it doubles while it keeps failing
REST_CAP_S = 30.0


@dataclass
class Replica:
    url: str | None  # None until the embedded server has started
    limiter: CapacityLimiter
    label: str = ""
    sender: Sender | None = None
    requests: int = 0  # requests sent to it (answered or not)
    rested_until: float = 0.0
    _rest_s: float = field(default=REST_S, repr=False)

    def load(self) -> float:
        """Requests in flight or waiting per unit of its limit."""
        return (self.limiter.in_flight + self.limiter.waiting) / max(1, self.limiter.limit)

    def rest(self, now: float) -> None:
        self.rested_until = now + self._rest_s
        self._rest_s = min(REST_CAP_S, self._rest_s * 2)

    def healthy(self) -> None:
        self.rested_until = 0.0
        self._rest_s = REST_S


def pick(replicas: list[Replica], clock: Callable[[], float] = time.monotonic) -> Replica:
    """The least-loaded replica that is not resting; if all rest, the one back soonest."""
    if len(replicas) == 1:
        return replicas[0]
    now = clock()
    live = [r for r in replicas if r.rested_until <= now]
    if not live:
        return min(replicas, key=lambda r: r.rested_until)
    return min(live, key=Replica.load)
