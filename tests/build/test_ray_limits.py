"""The limiter actor of `build --ray` as a plain object (no Ray needed): leases give back
the slots of a worker that died mid-request; live holders keep theirs."""

from __future__ import annotations

import asyncio

from sdg_ci.build.ray_limits import RemoteLimiter, ServerLimiter, limiter_factory, server_limits
from sdg_ci.config import Config
from sdg_ci.generate.model.limiter import CapacityLimiter


def test_a_silent_holders_slots_go_back_to_the_server():
    async def scenario():
        limiter = ServerLimiter(2, lease_s=0.2)
        await limiter.acquire((), "dead")
        await limiter.acquire((), "alive")
        waiting = asyncio.create_task(limiter.acquire((), "next"))
        for _ in range(3):  # "alive" beats, "dead" does not
            await asyncio.sleep(0.1)
            limiter.heartbeat("alive")
            limiter.heartbeat("next")
            assert not waiting.done() or limiter.reclaimed == 1
        await asyncio.wait_for(waiting, 1.0)  # the dead holder's slot was reclaimed
        assert limiter.stats() == {"limit": 2, "in_flight": 2, "answered": 0, "reclaimed": 1}
        assert limiter.held == {"alive": 1, "next": 1}
        limiter.release("dead")  # a late release of a reclaimed slot changes nothing
        assert limiter.limiter.in_flight == 2
        limiter.release("alive")
        assert limiter.limiter.in_flight == 1

    asyncio.run(scenario())


def test_one_limit_per_server_url():
    config = Config.model_validate({"generate": {
        "teacher": {"url": "http://a:8000/v1", "model": "m", "max_concurrency": 8},
        "critic": {"url": "http://a:8000/v1/", "model": "c", "max_concurrency": 4}}})
    assert server_limits(config) == {"http://a:8000/v1": 4}


def test_endpoints_of_a_known_server_borrow_from_its_actor():
    make = limiter_factory({"http://a:8000/v1": "actor-handle"})
    shared = make("http://a:8000/v1/", 8)
    assert isinstance(shared, RemoteLimiter) and shared.actor == "actor-handle"
    own = make("http://b:8000/v1", 3)  # no actor for it: its own limiter, as locally
    assert isinstance(own, CapacityLimiter) and own.ceiling == 3
