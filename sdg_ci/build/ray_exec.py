"""Generate a build's leaves on a Ray cluster: `sdg-ci build --ray [ADDRESS]`.

Why: a full rebuild of a large taxonomy is tens of thousands of model calls; one process on
one runner is the wrong place for that. `RayGenerate` has the signature of the local
engine's `generate()` (a `GenerateFn`), so `build_dataset` stays the one place that writes
the store: each leaf is one Ray task that runs the same generation pipeline (`generate()`)
into a scratch folder on its worker and returns the leaf's files and accounting; the driver
writes them into `last_run/` only when a leaf's whole result has arrived, so a lost worker
never leaves half a leaf. Ray retries a task whose worker died (`max_retries`); the rows do
not change (per-row seeds, the response cache), so the train.jsonl of a Ray build is the
one of a local build.

Concurrency stays the servers' business: one `ServerLimiter` actor per server URL holds
that server's adaptive limit for every task of the build, and each worker's endpoints
borrow slots from it through `RemoteLimiter` (the interface of `CapacityLimiter`).

Ray is an optional extra (`pip install 'sdg-ci[ray]'`): it is imported when a Ray build
starts, never at CLI start-up.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sdg_ci import __version__
from sdg_ci.config import Config
from sdg_ci.errors import SdgCiError
from sdg_ci.generate.model.endpoint import public_url
from sdg_ci.generate.model.limiter import CapacityLimiter
from sdg_ci.generate.runner import SUMMARY_FILE, generate
from sdg_ci.outdir import write_text_atomic
from sdg_ci.records.run import LeafSummary, RunSummary, Usage
from sdg_ci.taxonomy.leaf import leaf_kind

LOCAL = "local"
MAX_RETRIES = 3  # a task whose worker dies is run again this many times
# Fault drill (tests, and a cluster's operators): when set to a file path that does not
# exist yet, the first task to finish its leaf creates the file and kills its own worker
# before returning; Ray runs the task again on another worker.
KILL_ONCE_ENV = "SDG_CI_RAY_KILL_ONCE"
HEARTBEAT_S = 5.0  # a worker's limiter says it is alive this often
LEASE_S = 30.0  # a silent worker's request slots go back to its server after this long


def import_ray() -> Any:
    """Ray, or a clear error naming the extra (an optional dependency, imported late)."""
    try:
        import ray
    except ImportError as exc:
        raise SdgCiError(
            "--ray needs Ray, an optional extra: pip install 'sdg-ci[ray]'"
        ) from exc
    return ray


# ----------------------------------------------------------------------------- limits


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


# ----------------------------------------------------------------------------- a task


@dataclass
class LeafResult:
    """What one task sends back: the leaf's summary, its files (path in the run folder ->
    bytes), the run's model infos and notes, and who ran it for how long."""

    leaf: LeafSummary
    files: dict[str, bytes]
    summary: RunSummary
    worker: str
    node: str
    wall_s: float


def run_leaf(root: str, root_rel: str | None, rel: str, config_json: str, status: str,
             actors: dict[str, Any], asked: list[str] | None = None) -> LeafResult:
    """A Ray task: generate one leaf with the local engine into a scratch folder."""
    started = time.monotonic()
    taxonomy = _find_root(root, root_rel)
    config = Config.model_validate_json(config_json)
    scratch = Path(tempfile.mkdtemp(prefix="sdg-ci-ray-"))
    try:
        summary = generate(taxonomy, [rel], config, scratch, statuses={rel: status},
                           progress=False, limiter_factory=limiter_factory(actors),
                           asked={rel: asked} if asked else None)
        leaf = next(x for x in summary.leaves if x.path == rel)
        files = {name: (scratch / name).read_bytes()
                 for name in (leaf.data_file, leaf.rejected_file)
                 if name and (scratch / name).is_file()}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _kill_drill()
    summary.leaves = []
    node = _node_id()
    return LeafResult(leaf=leaf, files=files, summary=summary,
                      worker=f"{node}:{os.getpid()}", node=node,
                      wall_s=time.monotonic() - started)


def _find_root(root: str, root_rel: str | None) -> Path:
    """The taxonomy on this worker: the driver's path (one machine, a shared filesystem) or
    the same path relative to the working directory (`ray job submit --working-dir`)."""
    for candidate in (Path(root), Path(root_rel) if root_rel is not None else None):
        if candidate is not None and candidate.is_dir():
            return candidate.resolve()
    raise SdgCiError(
        f"the taxonomy is not at {root} on this Ray worker ({_node_id()}): put it on a "
        "filesystem every node mounts at the same path, or submit the build with "
        "`ray job submit --working-dir <taxonomy> -- sdg-ci build ...`"
    )


def _kill_drill() -> None:
    marker = os.environ.get(KILL_ONCE_ENV)
    if not marker:
        return
    try:
        with open(marker, "x", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
    except FileExistsError:
        return
    os._exit(1)  # the worker dies with the leaf generated but not returned


def _node_id() -> str:
    ray = import_ray()
    try:
        return ray.get_runtime_context().get_node_id()[:8]
    except Exception:  # noqa: BLE001 - not inside Ray (a direct call)
        return "local"


# ----------------------------------------------------------------------------- the driver


@dataclass
class RayReport:
    """For the build summary: how many workers ran the tasks, and for how long."""

    address: str
    tasks: int = 0
    failed: int = 0
    workers: set[str] = field(default_factory=set)
    nodes: set[str] = field(default_factory=set)
    worker_s: float = 0.0  # the tasks' wall time, summed
    wall_s: float = 0.0  # the driver's, from the first task submitted to the last result

    def line(self) -> str:
        failed = f", {self.failed} failed" if self.failed else ""
        return (f"ray ({self.address}): {self.tasks} leaf tasks{failed} on "
                f"{len(self.workers)} workers ({_count(len(self.nodes), 'node')}), "
                f"{self.worker_s:.1f} s of worker time in {self.wall_s:.1f} s")


class RayGenerate:
    """A `GenerateFn` that runs each leaf as a Ray task (see the module docstring).

    `address`: "local" starts a local Ray instance (stopped at the end); anything else is
    passed to `ray.init` ("auto", "ray://host:10001"). An already initialised Ray (a test,
    a notebook, a Ray job's driver that called init) is used as it is."""

    def __init__(self, address: str = LOCAL, max_retries: int = MAX_RETRIES):
        if importlib.util.find_spec("ray") is None:  # fail before the build starts
            import_ray()
        self.address = address
        self.max_retries = max_retries
        self.report = RayReport(address)

    def __call__(self, root: Path, leaf_files: list[str], config: Config, out_dir: Path,
                 statuses: dict[str, str] | None = None, progress: bool = True,
                 asked: Mapping[str, Sequence[str]] | None = None) -> RunSummary:
        """Like `generate()`; `asked`: per leaf, the questions a top-up round must avoid."""
        ray = import_ray()
        started_here = self._connect(ray)
        try:
            return self._run(ray, Path(root).resolve(), leaf_files, config, Path(out_dir),
                             statuses or {}, progress, asked or {})
        finally:
            if started_here:
                ray.shutdown()

    def _connect(self, ray: Any) -> bool:
        if ray.is_initialized():
            return False
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        try:
            if self.address == LOCAL:
                ray.init(**kwargs)
            else:
                ray.init(address=self.address, **kwargs)
        except Exception as exc:  # noqa: BLE001 - Ray raises several kinds here
            raise SdgCiError(f"--ray {self.address}: cannot start or join Ray: {exc}") from exc
        return True

    def _run(self, ray: Any, root: Path, leaf_files: list[str], config: Config, out_dir: Path,
             statuses: dict[str, str], progress: bool,
             asked: Mapping[str, Sequence[str]]) -> RunSummary:
        started = time.monotonic()
        report = self.report = RayReport(self.address)
        actor_class = ray.remote(num_cpus=0)(ServerLimiter)
        actors = {label: actor_class.remote(limit)
                  for label, limit in server_limits(config).items()}
        task = ray.remote(num_cpus=1, max_retries=self.max_retries)(run_leaf)
        drill = os.environ.get(KILL_ONCE_ENV)
        if drill:  # the workers may predate this variable: hand it to them
            task = task.options(runtime_env={"env_vars": {KILL_ONCE_ENV: drill}})
        root_rel = _relative_to_cwd(root)
        config_json = config.model_dump_json()
        pending = {task.remote(str(root), root_rel, rel, config_json,
                               statuses.get(rel, "modified"), actors,
                               list(asked.get(rel, ()))): rel
                   for rel in dict.fromkeys(leaf_files)}
        report.tasks = len(pending)
        results: dict[str, LeafResult] = {}
        failures: dict[str, str] = {}
        status = StatusLine(report.tasks, config.generate.progress_interval_s) if progress \
            else None
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1,
                               timeout=status.period if status else None)
            for ref in done:
                rel = pending.pop(ref)
                try:
                    results[rel] = ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - a task that failed for good
                    failures[rel] = _reason(exc)
            if status and status.due(not pending):
                servers = dict(zip(actors, ray.get([a.stats.remote() for a in actors.values()]),
                                   strict=True))
                status.show(len(results) + len(failures), len(failures), servers)
        if status:
            status.end()
        for result in results.values():
            report.workers.add(result.worker)
            report.nodes.add(result.node)
            report.worker_s += result.wall_s
        report.failed = len(failures)
        report.wall_s = time.monotonic() - started
        return _write_run(out_dir, config, results, failures, statuses,
                          round(time.monotonic() - started, 3))


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _relative_to_cwd(root: Path) -> str | None:
    try:
        return root.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[-1] if text else ''}"


class StatusLine:
    """The driver's progress: leaves whose whole result has arrived, and per server the
    requests in flight and answered across every worker (read from the limiter actors).
    A live line on a terminal; one line every `interval_s` in a CI log."""

    def __init__(self, total: int, interval_s: float, stream: TextIO | None = None):
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.period = 0.5 if self.tty else interval_s
        self._last = time.monotonic()

    def due(self, last: bool) -> bool:
        return last or time.monotonic() - self._last >= self.period

    def show(self, finished: int, failed: int, servers: dict[str, dict[str, int]]) -> None:
        self._last = time.monotonic()
        failed_text = f" ({failed} failed)" if failed else ""
        parts = [f"ray: {finished}/{self.total} leaves done{failed_text}"]
        parts += [f"{label}: {s['in_flight']} in flight (limit {s['limit']}), "
                  f"{s['answered']} answered" for label, s in servers.items()]
        line = " · ".join(parts)
        self.stream.write(f"\r{line}\x1b[K" if self.tty else f"{line}\n")
        self.stream.flush()

    def end(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _write_run(out_dir: Path, config: Config, results: dict[str, LeafResult],
               failures: dict[str, str], statuses: dict[str, str], wall_s: float) -> RunSummary:
    """The run folder as the local engine writes it: each arrived leaf's files, then
    summary.json; a leaf whose task failed is an error (the next build retries it)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = RunSummary(tool_version=__version__, scale=config.generate.scale, wall_s=wall_s)
    notes: dict[str, None] = {}
    for _, result in sorted(results.items()):
        for name, data in result.files.items():
            target = out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        summary.leaves.append(result.leaf)
        summary.models = summary.models or result.summary.models
        summary.scale = result.summary.scale
        notes.update(dict.fromkeys(result.summary.notes))
    for rel, reason in sorted(failures.items()):
        summary.leaves.append(LeafSummary(
            path=rel, kind=leaf_kind(None, rel).value, status=statuses.get(rel, "modified"),
            errors=1,
            notes=[f"the Ray task failed ({reason}); the next build retries this leaf"]))
    summary.leaves.sort(key=lambda leaf: leaf.path)
    summary.usage = Usage.total(leaf.usage for leaf in summary.leaves)
    summary.notes = list(notes)
    write_text_atomic(out_dir / SUMMARY_FILE, summary.model_dump_json(indent=2) + "\n")
    return summary
