"""Each server's concurrency limit, shared by every task of a Ray build.

Why: concurrency is the endpoints' business, not the cluster's; a cluster of 20 workers must
not send 20x the requests a server can take. One `ServerLimiter` actor per server URL holds
that server's adaptive limit for every task, and each worker's endpoints borrow slots from
it through `RemoteLimiter` (the interface of `CapacityLimiter`). Slots are leased, so a
worker that dies mid-request does not hold them for ever.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

from sdg_ci.config import Config
from sdg_ci.generate.model.endpoint import public_url
from sdg_ci.generate.model.limiter import CapacityLimiter

HEARTBEAT_S = 5.0  # a worker's limiter says it is alive this often
LEASE_S = 30.0  # a silent worker's request slots go back to its server after this long



class ServerLimiter:
    """One server's adaptive concurrency limit, for every task of a build (a Ray actor).

    Slots are leased: each holder (a worker's `RemoteLimiter`) beats every `HEARTBEAT_S`,
    and the slots of a holder silent for `lease_s` (its worker died mid-request) go back
    to the server's pool."""

    def __init__(self, max_concurrency: int | None, lease_s: float | None = None):
        self.limiter = CapacityLimiter(max_concurrency)
        self.lease_s = LEASE_S if lease_s is None else lease_s
        self.answered = 0  # requests that succeeded, for the driver's status line
        self.reclaimed = 0  # slots taken back from silent holders
        self.held: dict[str, int] = {}
        self.seen: dict[str, float] = {}
        self._reaper: asyncio.Task | None = None

    async def acquire(self, priority: tuple = (), holder: str = "") -> int:
        if self._reaper is None:
            self._reaper = asyncio.get_running_loop().create_task(self._reap_forever())
        self.seen[holder] = time.monotonic()
        await self.limiter.acquire(priority)
        self.held[holder] = self.held.get(holder, 0) + 1
        self.seen[holder] = time.monotonic()
        return self.limiter.limit

    def release(self, holder: str = "") -> None:
        if self.held.get(holder, 0) > 0:  # not when the slot was reclaimed already
            self.held[holder] -= 1
            self.limiter.release()

    def heartbeat(self, holder: str = "") -> None:
        self.seen[holder] = time.monotonic()

    def reap(self) -> int:
        """Give back the slots of holders silent for longer than the lease."""
        now, freed = time.monotonic(), 0
        for holder, count in list(self.held.items()):
            if count and now - self.seen.get(holder, 0.0) > self.lease_s:
                del self.held[holder]
                for _ in range(count):
                    self.limiter.release()
                freed += count
        self.reclaimed += freed
        return freed

    async def _reap_forever(self) -> None:
        while True:
            await asyncio.sleep(self.lease_s / 2)
            self.reap()

    def on_success(self, *args: Any) -> None:
        self.answered += 1
        self.limiter.on_success(*args)

    def on_overload(self, retry_after: float | None = None) -> None:
        self.limiter.on_overload(retry_after)

    def stats(self) -> dict[str, int]:
        return {"limit": self.limiter.limit, "in_flight": self.limiter.in_flight,
                "answered": self.answered, "reclaimed": self.reclaimed}


class RemoteLimiter:
    """A worker's view of a `ServerLimiter` actor, with `CapacityLimiter`'s interface.

    `in_flight` counts this process's requests; `limit` is the server's limit when the last
    slot was granted. Release and feedback are fire-and-forget (the endpoint's code is sync
    there); Ray keeps one caller's calls to an actor in order. A heartbeat keeps this
    holder's slots leased while its event loop runs."""

    def __init__(self, actor: Any):
        self.actor = actor
        self.holder = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.limit = 1
        self.in_flight = 0
        self._beat: asyncio.Task | None = None

    async def acquire(self, priority: tuple = ()) -> None:
        if self._beat is None:
            self._beat = asyncio.get_running_loop().create_task(self._heartbeat())
        ref = self.actor.acquire.remote(priority, self.holder)
        try:
            self.limit = await ref
        except asyncio.CancelledError:
            # the slot may be granted after we stopped waiting: hand it back then
            asyncio.get_running_loop().create_task(self._release_when_granted(ref))
            raise
        self.in_flight += 1

    async def _heartbeat(self) -> None:
        while True:
            self.actor.heartbeat.remote(self.holder)
            await asyncio.sleep(HEARTBEAT_S)

    async def _release_when_granted(self, ref: Any) -> None:
        try:
            await ref
        except Exception:  # noqa: BLE001 - the actor is gone: nothing to hand back
            return
        self.actor.release.remote(self.holder)

    def release(self) -> None:
        self.in_flight -= 1
        self.actor.release.remote(self.holder)

    def on_success(self, *args: Any) -> None:
        self.actor.on_success.remote(*args)

    def on_overload(self, retry_after: float | None = None) -> None:
        self.actor.on_overload.remote(retry_after)


def server_limits(config: Config) -> dict[str, int | None]:
    """Each remote server's label (as the endpoints name it) -> its ceiling (None: none)."""
    limits: dict[str, int] = {}
    settings = config.generate
    for spec in (settings.teacher, settings.critic):
        if spec is None or not spec.url:
            continue
        urls = spec.url if isinstance(spec.url, list) else [spec.url]  # replicas: one each
        for url in urls:
            label = server_key(public_url(url))
            ceilings = [c for c in (limits.get(label), spec.max_concurrency) if c is not None]
            limits[label] = min(ceilings) if ceilings else None
    return limits


def server_key(label: str) -> str:
    """One key per server, however its URL is spelt (`.../v1` and `.../v1/`)."""
    return label.rstrip("/")


def limiter_factory(actors: dict[str, Any]) -> Callable[[str, int | None], Any]:
    """For `ModelClient`: a server with an actor borrows its slots; others keep their own."""

    def make(label: str, max_concurrency: int | None) -> Any:
        actor = actors.get(server_key(label))
        return RemoteLimiter(actor) if actor is not None else CapacityLimiter(max_concurrency)

    return make
