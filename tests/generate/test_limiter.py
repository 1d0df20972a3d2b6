"""The capacity-discovering limiter: priorities, overload, pauses, and convergence on the
capacity of a simulated batching server (N slots, a FIFO queue behind them)."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from sdg_ci.config import GenerateSettings
from sdg_ci.generate.model.client import ModelClient
from sdg_ci.generate.model.limiter import START_LIMIT, CapacityLimiter


async def _drive(limiter: CapacityLimiter, slots: int, completions: int,
                 workers: int, seed: int = 1, mix: float = 1.0) -> list[int]:
    """Clients that keep `workers` requests wanting to go to a server with `slots` slots
    (each request 1-2 units of server time, a unit long enough that the whole stays near
    1,000 requests a second: this process is the server and must not be the bottleneck);
    the limit after each completion. `mix`: from the second third of the run on, requests
    take this many times longer (a run's stages differ in length)."""
    server = asyncio.Semaphore(slots)
    base = max(0.008, slots / 1000)
    rnd = random.Random(seed)
    limits: list[int] = []
    stop = asyncio.Event()

    async def client() -> None:
        while not stop.is_set():
            await limiter.acquire(())
            started = time.monotonic()
            try:
                unit = base * (mix if 3 * len(limits) >= completions else 1.0)
                async with server:
                    await asyncio.sleep(unit * rnd.uniform(1.0, 2.0))
            finally:
                limiter.release()
            limiter.on_success(time.monotonic() - started, 1.0)
            limits.append(limiter.limit)
            if len(limits) >= completions:
                stop.set()

    await asyncio.gather(*(client() for _ in range(workers)))
    return limits


@pytest.mark.parametrize("slots", [3, 6, 16, 48])
def test_the_limit_settles_near_the_servers_capacity(slots):
    limiter = CapacityLimiter()
    limits = asyncio.run(_drive(limiter, slots, completions=100 * slots + 1500,
                                workers=16 * slots + 64))
    settled = sorted(limits[-(10 * slots + 50):])  # the last several round trips
    low, high = settled[len(settled) // 10], settled[-len(settled) // 10]  # probes aside
    assert 0.6 * slots <= low, (slots, limits[::25])
    assert high <= max(2.5 * slots, slots + 4), (slots, limits[::25])


def test_the_limit_grows_from_its_start_when_the_server_is_big():
    limiter = CapacityLimiter()
    limits = asyncio.run(_drive(limiter, 200, completions=1200, workers=600))
    assert max(limits) >= 128 > START_LIMIT  # it found room far above where it began


def test_a_start_far_above_a_small_servers_capacity_is_undone_in_halvings():
    # the ramp finds no gain and latency growing with the limit: the server was full at the
    # start limit already; the limit goes back there and halves while throughput holds
    # (walking down in 10 % probes would take several thousand completions)
    limiter = CapacityLimiter()
    limits = asyncio.run(_drive(limiter, 3, completions=1600, workers=400))
    reached = next(i for i, limit in enumerate(limits) if limit <= 6)
    assert reached <= 1300, limits[::25]  # about 1,000 measured, on an idle or a busy machine
    assert max(limits[reached:]) <= 10, limits[reached::10]  # probes up aside, it stays


def test_a_change_in_request_length_alone_does_not_pull_the_limit_down():
    # mean latency triples when the run moves to longer requests; throughput per request
    # falls with it; neither is a queue, so the limit stays at the server's capacity
    limiter = CapacityLimiter()
    limits = asyncio.run(_drive(limiter, 48, completions=6000, workers=900, mix=3.0))
    after = limits[len(limits) // 3:]
    assert sorted(after)[len(after) // 20] >= 0.6 * 48, after[::50]


def test_a_ceiling_caps_the_limit_and_fixed_keeps_it():
    limiter = CapacityLimiter(ceiling=6)
    limits = asyncio.run(_drive(limiter, 16, completions=400, workers=100))
    assert max(limits) <= 6
    fixed = CapacityLimiter(3, initial=3, fixed=True)
    asyncio.run(_drive(fixed, 16, completions=200, workers=50))
    assert fixed.limit == 3
    fixed.on_overload()
    assert fixed.limit == 3


def test_limiter_serves_waiters_by_priority():
    async def main():
        limiter = CapacityLimiter(initial=1)
        await limiter.acquire((0,))
        order = []

        async def waiter(priority):
            await limiter.acquire(priority)
            order.append(priority)
            limiter.release()

        tasks = [asyncio.create_task(waiter(p)) for p in [(3,), (1,), (2,)]]
        await asyncio.sleep(0)
        limiter.release()
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(main()) == [(1,), (2,), (3,)]


def test_limiter_halves_on_overload_once_per_burst():
    limiter = CapacityLimiter(initial=8)
    limiter.on_overload()
    limiter.on_overload()  # the same burst: no second cut
    assert limiter.limit == 4


def test_limiter_pauses_everyone_for_retry_after():
    async def main():
        limiter = CapacityLimiter(initial=4)
        limiter.on_overload(retry_after=0.3)
        started = time.monotonic()
        await limiter.acquire()
        return time.monotonic() - started

    assert asyncio.run(main()) >= 0.25


def _settings(teacher: dict, critic: dict | None = None) -> GenerateSettings:
    data = {"teacher": teacher}
    if critic is not None:
        data["critic"] = critic
    return GenerateSettings.model_validate(data)


def test_one_limiter_per_server_shared_by_roles_and_model_names(tmp_path):
    url = "http://127.0.0.1:8000/v1"
    client = ModelClient(_settings({"url": url, "model": "teacher-7b"},
                                   {"url": url + "/", "model": "critic-7b"}), tmp_path)
    assert client.teacher is not client.critic  # two model names ...
    assert client.teacher.limiter is client.critic.limiter  # ... one server, one limit
    other = ModelClient(_settings({"url": url, "model": "t"},
                                  {"url": "http://127.0.0.1:8001/v1", "model": "c",
                                   "max_concurrency": 5}), tmp_path / "o")
    assert other.teacher.limiter is not other.critic.limiter  # another port, another server
    assert other.critic.limiter.ceiling == 5
    assert other.teacher.limiter.ceiling > 1000  # no ceiling unless one is set
    asyncio.run(client.close())
    asyncio.run(other.close())


def test_the_lower_ceiling_of_two_roles_on_one_server_wins(tmp_path):
    url = "http://127.0.0.1:8000/v1"
    client = ModelClient(_settings({"url": url, "model": "a", "max_concurrency": 40},
                                   {"url": url, "model": "b", "max_concurrency": 12}), tmp_path)
    assert client.teacher.limiter is client.critic.limiter
    assert client.teacher.limiter.ceiling == 12
    asyncio.run(client.close())


def _cpu_samples(*samples):
    """A stand-in for /proc/stat: each call returns the next (total, idle) per CPU."""
    it = iter(samples)
    return lambda cpus: next(it)


def _two_cores(monkeypatch, embedded, tmp_path):
    monkeypatch.setattr(embedded.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setattr(embedded, "CGROUP_CPU_MAX", tmp_path / "no-cgroup")
    monkeypatch.setattr(embedded.time, "sleep", lambda _s: None)
    monkeypatch.setattr(embedded.time, "process_time", lambda: 0.0)  # we stay idle meanwhile


def test_the_embedded_threads_wait_by_spinning_only_on_free_cores(monkeypatch, tmp_path):
    from sdg_ci.generate.model import embedded

    _two_cores(monkeypatch, embedded, tmp_path)
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setattr(embedded.os, "getloadavg", lambda: (3.1, 3.0, 3.0))  # a job just ended
    # both cores idle over the sample (100 jiffies, 97 idle each): both threads spin
    monkeypatch.setattr(embedded, "read_cpu_times",
                        _cpu_samples([(0, 0), (0, 0)], [(100, 97), (100, 97)]))
    idle = embedded.EmbeddedServer(tmp_path / "log")
    assert (idle.parallel, idle.threads, idle.spin_wait) == (1, 2, True)
    assert "OMP_WAIT_POLICY" not in idle.child_env()
    # another process keeps one core busy: the same slot and threads (the same arithmetic,
    # so the same replies), but they sleep while they wait
    monkeypatch.setattr(embedded, "read_cpu_times",
                        _cpu_samples([(0, 0), (0, 0)], [(100, 0), (100, 95)]))
    busy = embedded.EmbeddedServer(tmp_path / "log")
    assert (busy.parallel, busy.threads, busy.spin_wait) == (1, 2, False)
    assert busy.child_env()["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # the user's own choice stays
    assert busy.child_env()["OMP_WAIT_POLICY"] == "ACTIVE"
    assert embedded.EmbeddedServer(tmp_path / "log", parallel=3, threads=2).parallel == 3


def test_the_embedded_threads_follow_the_usable_cores(monkeypatch, tmp_path):
    from sdg_ci.generate.model import embedded

    _two_cores(monkeypatch, embedded, tmp_path)
    assert embedded.EmbeddedServer(tmp_path / "log").threads == 2
    # four cores: still one slot (requests in a fixed order), with four threads
    monkeypatch.setattr(embedded.os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3},
                        raising=False)
    wide = embedded.EmbeddedServer(tmp_path / "log")
    assert (wide.parallel, wide.threads) == (1, 4)
    # a container limited to 1.5 CPUs by its cgroup: two threads, one slot
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("150000 100000\n")
    assert embedded.usable_cores(cpu_max) == 2
    monkeypatch.setattr(embedded, "CGROUP_CPU_MAX", cpu_max)
    assert (embedded.EmbeddedServer(tmp_path / "log").parallel,
            embedded.EmbeddedServer(tmp_path / "log").threads) == (1, 2)
    cpu_max.write_text("max 100000\n")  # no quota
    assert embedded.usable_cores(cpu_max) == 4


def test_without_proc_stat_the_load_average_decides(monkeypatch, tmp_path):
    from sdg_ci.generate.model import embedded

    _two_cores(monkeypatch, embedded, tmp_path)
    monkeypatch.setattr(embedded, "read_cpu_times", lambda cpus: None)
    monkeypatch.setattr(embedded.os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    assert embedded.available_cores() == 2
    monkeypatch.setattr(embedded.os, "getloadavg", lambda: (3.1, 3.0, 3.0))  # both busy
    busy = embedded.EmbeddedServer(tmp_path / "log")
    assert (busy.parallel, busy.threads, busy.spin_wait) == (1, 2, False)


def test_the_embedded_cores_are_measured_when_it_starts_not_before(monkeypatch, tmp_path):
    from sdg_ci.generate.model import embedded

    samples = []
    monkeypatch.setattr(embedded, "available_cores", lambda: samples.append(1) or 2)
    monkeypatch.setattr(embedded, "usable_cores", lambda: 2)

    async def started(self) -> str:
        assert (self.parallel, self.threads, self.spin_wait) == (1, 2, True)
        return "http://127.0.0.1:9/v1"

    monkeypatch.setattr(embedded.EmbeddedServer, "start", started)
    client = ModelClient(GenerateSettings(), tmp_path)
    limiter = client.teacher.limiter
    assert samples == []  # a fully cached run never measures the cores
    asyncio.run(client.teacher._ensure_client())
    assert samples == [1] and (limiter.limit, limiter.ceiling, limiter.fixed) == (1, 1, True)
    asyncio.run(client.close())


def test_the_embedded_endpoints_limit_is_its_slot_count(tmp_path):
    client = ModelClient(GenerateSettings.model_validate({"embedded": {"parallel": 3}}),
                         tmp_path)
    limiter = client.teacher.limiter
    assert client.critic is client.teacher
    assert (limiter.limit, limiter.ceiling, limiter.fixed) == (3, 3, True)
    asyncio.run(client.close())
