"""Generate a build's leaves on a Ray cluster: `sdg-ci build --ray [ADDRESS]`.

Why: a full rebuild of a large taxonomy is tens of thousands of model calls; one process on
one runner is the wrong place for that. `RayGenerate` has the signature of the local
engine's `generate()` (a `GenerateFn`), so `build_dataset` stays the one place that writes
the store. The unit of work is a leaf, and a large knowledge leaf is split into groups of
chunks, so one huge leaf does not serialise the build: each leaf's first task runs the same
generation pipeline (`generate_parts`) on group 0 of its units and says how many groups
the leaf has (`chunks_per_task` units each); the driver then sends the other groups as
tasks of their own (they reload the documents from the cache). Tasks return unfinished
ledgers, not files; the driver merges a leaf's groups and finishes it exactly as a local
run does (`finish_parts`: final dedup, summary, files), and only when every group has
arrived, so a lost worker never leaves half a leaf, and a failed group fails its leaf (the
next build retries it). Ray retries a task whose worker died (`max_retries`); the rows do
not change (ids, order and seeds come from each row's unit; the response cache), so the
train.jsonl of a Ray build is the one of a local build.

Concurrency stays the servers' business: the limiter actors of `ray_limits` hold each
server's limit for every task of the build.

Ray is an optional extra (`pip install 'sdg-ci[ray]'`): it is imported when a Ray build
starts, never at CLI start-up.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sdg_ci.build.ray_limits import ServerLimiter, limiter_factory, server_limits
from sdg_ci.config import Config
from sdg_ci.errors import SdgCiError
from sdg_ci.generate.finish import PartsRun, failed_leaf, finish_parts
from sdg_ci.generate.runner import generate_parts
from sdg_ci.records.run import RunSummary

LOCAL = "local"
MAX_RETRIES = 3  # a task whose worker dies is run again this many times
# A knowledge leaf with more units (chunks) than this is generated in groups of this many,
# one task each. Small enough that a leaf of hundreds of chunks spreads over the cluster;
# large enough that each task keeps a server busy and the documents load few times.
CHUNKS_PER_TASK = 16
# Fault drill (tests, and a cluster's operators): when set to a file path that does not
# exist yet, the first task to finish its share creates the file and kills its own worker
# before returning; Ray runs the task again on another worker. With KILL_GROUP_ENV set to
# a number, only a task of a group numbered that or higher is killed (1: a chunk group).
KILL_ONCE_ENV = "SDG_CI_RAY_KILL_ONCE"
KILL_GROUP_ENV = "SDG_CI_RAY_KILL_GROUP"


def import_ray() -> Any:
    """Ray, or a clear error naming the extra (an optional dependency, imported late)."""
    try:
        import ray
    except ImportError as exc:
        raise SdgCiError(
            "--ray needs Ray, an optional extra: pip install 'sdg-ci[ray]'"
        ) from exc
    return ray


# ----------------------------------------------------------------------------- a task


@dataclass
class TaskResult:
    """What one task sends back: the unfinished ledger of one group of one leaf (with the
    run's model infos and notes), and who ran it for how long."""

    run: PartsRun
    worker: str
    node: str
    wall_s: float

    @property
    def groups(self) -> int:
        """How many groups its leaf has (1 when the leaf is not split)."""
        return self.run.parts[0].groups if self.run.parts else 1


def run_part(root: str, root_rel: str | None, rel: str, group: int, config_json: str,
             status: str, actors: dict[str, Any], asked: list[str] | None,
             chunks_per_task: int) -> TaskResult:
    """A Ray task: generate group `group` of one leaf with the local engine."""
    started = time.monotonic()
    taxonomy = _find_root(root, root_rel)
    config = Config.model_validate_json(config_json)
    run = generate_parts(taxonomy, [(rel, group)], config, chunks_per_task=chunks_per_task,
                         statuses={rel: status}, limiter_factory=limiter_factory(actors),
                         asked={rel: asked} if asked else None)
    _kill_drill(group)
    node = _node_id()
    return TaskResult(run=run, worker=f"{node}:{os.getpid()}", node=node,
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


def _kill_drill(group: int) -> None:
    marker = os.environ.get(KILL_ONCE_ENV)
    if not marker or group < int(os.environ.get(KILL_GROUP_ENV) or 0):
        return
    try:
        with open(marker, "x", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} group {group}\n")
    except FileExistsError:
        return
    os._exit(1)  # the worker dies with its share generated but not returned


def _node_id() -> str:
    ray = import_ray()
    try:
        return ray.get_runtime_context().get_node_id()[:8]
    except Exception:  # noqa: BLE001 - not inside Ray (a direct call)
        return "local"


# ----------------------------------------------------------------------------- the driver


@dataclass
class RayReport:
    """For the build summary: the tasks (one per leaf, one per further chunk group), how
    many workers ran them, and for how long, over every round of the build."""

    address: str
    tasks: int = 0  # every task submitted: leaf tasks and chunk-group tasks
    group_tasks: int = 0  # of which tasks for a knowledge leaf's groups after the first
    split_leaves: int = 0  # knowledge leaves generated in more than one group
    failed: int = 0  # leaves lost (a task failed for good)
    workers: set[str] = field(default_factory=set)
    nodes: set[str] = field(default_factory=set)
    worker_s: float = 0.0  # the tasks' wall time, summed
    wall_s: float = 0.0  # the driver's, from the first task submitted to the last result

    def line(self) -> str:
        failed = f", {self.failed} failed" if self.failed else ""
        groups = ""
        if self.group_tasks:
            split = _count(self.split_leaves, "leaf")
            groups = f" + {self.group_tasks} chunk-group tasks ({split} split)"
        return (f"ray ({self.address}): {self.tasks - self.group_tasks} leaf tasks{groups}"
                f"{failed} on {len(self.workers)} workers ({_count(len(self.nodes), 'node')}), "
                f"{self.worker_s:.1f} s of worker time in {self.wall_s:.1f} s")


class RayGenerate:
    """A `GenerateFn` that runs each leaf, or each group of a large knowledge leaf's chunks,
    as a Ray task (see the module docstring).

    `address`: "local" starts a local Ray instance (stopped at the end); anything else is
    passed to `ray.init` ("auto", "ray://host:10001"). An already initialised Ray (a test,
    a notebook, a Ray job's driver that called init) is used as it is. `chunks_per_task`:
    the units (chunks) of a knowledge leaf one task generates."""

    def __init__(self, address: str = LOCAL, max_retries: int = MAX_RETRIES,
                 chunks_per_task: int = CHUNKS_PER_TASK):
        if importlib.util.find_spec("ray") is None:  # fail before the build starts
            import_ray()
        if chunks_per_task < 1:
            raise SdgCiError(f"chunks_per_task must be 1 or more, not {chunks_per_task}")
        self.address = address
        self.max_retries = max_retries
        self.chunks_per_task = chunks_per_task
        self.report = RayReport(address)
        self._started = False  # whether this object started (or joined) Ray

    def __call__(self, root: Path, leaf_files: list[str], config: Config, out_dir: Path,
                 statuses: dict[str, str] | None = None, progress: bool = True,
                 asked: Mapping[str, Sequence[str]] | None = None) -> RunSummary:
        """Like `generate()`; `asked`: per leaf, the questions a top-up round must avoid.
        A Ray instance started here stays up for the build's next round; `close` stops it
        (Ray also stops it when the process exits)."""
        ray = import_ray()
        self._connect(ray)
        return self._run(ray, Path(root).resolve(), leaf_files, config, Path(out_dir),
                         statuses or {}, progress, asked or {})

    def close(self) -> None:
        """Stop the Ray instance this object started or joined (none: nothing to do)."""
        if self._started:
            self._started = False
            import_ray().shutdown()

    def _connect(self, ray: Any) -> None:
        if ray.is_initialized():
            return
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        try:
            if self.address == LOCAL:
                ray.init(**kwargs)
            else:
                ray.init(address=self.address, **kwargs)
        except Exception as exc:  # noqa: BLE001 - Ray raises several kinds here
            raise SdgCiError(f"--ray {self.address}: cannot start or join Ray: {exc}") from exc
        self._started = True

    def _run(self, ray: Any, root: Path, leaf_files: list[str], config: Config, out_dir: Path,
             statuses: dict[str, str], progress: bool,
             asked: Mapping[str, Sequence[str]]) -> RunSummary:
        started = time.monotonic()
        report = self.report  # over every call: a build's first pass and its top-up rounds
        actor_class = ray.remote(num_cpus=0)(ServerLimiter)
        actors = {label: actor_class.remote(limit)
                  for label, limit in server_limits(config).items()}
        task = ray.remote(num_cpus=1, max_retries=self.max_retries)(run_part)
        drill = {name: os.environ[name] for name in (KILL_ONCE_ENV, KILL_GROUP_ENV)
                 if os.environ.get(name)}
        if drill:  # the workers may predate these variables: hand them over
            task = task.options(runtime_env={"env_vars": drill})
        root_rel = _relative_to_cwd(root)
        config_json = config.model_dump_json()
        leaves = list(dict.fromkeys(leaf_files))
        pending: dict[Any, tuple[str, int]] = {}

        def submit(rel: str, group: int) -> None:
            ref = task.remote(str(root), root_rel, rel, group, config_json,
                              statuses.get(rel, "modified"), actors,
                              list(asked.get(rel, ())), self.chunks_per_task)
            pending[ref] = (rel, group)
            report.tasks += 1
            report.group_tasks += int(group > 0)

        for rel in leaves:
            submit(rel, 0)
        arrived: dict[str, list[TaskResult]] = {}
        failures: dict[str, str] = {}
        status = StatusLine(len(leaves), config.generate.progress_interval_s) if progress \
            else None
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1,
                               timeout=status.period if status else None)
            for ref in done:
                rel, group = pending.pop(ref)
                try:
                    result: TaskResult = ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - a task that failed for good
                    failures.setdefault(rel, _reason(exc))
                    continue
                arrived.setdefault(rel, []).append(result)
                if group == 0 and result.groups > 1:  # a large knowledge leaf: the rest
                    report.split_leaves += 1
                    for other in range(1, result.groups):
                        submit(rel, other)
            if status and status.due(not pending):
                servers = dict(zip(actors, ray.get([a.stats.remote() for a in actors.values()]),
                                   strict=True))
                finished = sum(1 for rel in leaves if rel in failures or (
                    rel in arrived and len(arrived[rel]) == arrived[rel][0].groups))
                status.show(finished, len(failures), servers, report.tasks - len(pending),
                            report.tasks)
        if status:
            status.end()
        for results in arrived.values():
            for result in results:
                report.workers.add(result.worker)
                report.nodes.add(result.node)
                report.worker_s += result.wall_s
        report.failed += len(failures)
        report.wall_s += time.monotonic() - started
        runs = [result.run for rel, results in arrived.items() if rel not in failures
                for result in results]
        return _write_run(root, out_dir, config, runs, failures, statuses,
                          time.monotonic() - started)


def _count(n: int, word: str) -> str:
    plural = "leaves" if word == "leaf" else f"{word}s"
    return f"{n} {word if n == 1 else plural}"


def _relative_to_cwd(root: Path) -> str | None:
    try:
        return root.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[-1] if text else ''}"


class StatusLine:
    """The driver's progress: leaves whose whole result has arrived, tasks done of those
    submitted so far, and per server the requests in flight and answered across every
    worker (read from the limiter actors). A live line on a terminal; one line every
    `interval_s` in a CI log."""

    def __init__(self, total: int, interval_s: float, stream: TextIO | None = None):
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.period = 0.5 if self.tty else interval_s
        self._last = time.monotonic()

    def due(self, last: bool) -> bool:
        return last or time.monotonic() - self._last >= self.period

    def show(self, finished: int, failed: int, servers: dict[str, dict[str, int]],
             tasks_done: int, tasks: int) -> None:
        self._last = time.monotonic()
        failed_text = f" ({failed} failed)" if failed else ""
        parts = [f"ray: {finished}/{self.total} leaves done{failed_text}",
                 f"{tasks_done}/{tasks} tasks"]
        parts += [f"{label}: {s['in_flight']} in flight (limit {s['limit']}), "
                  f"{s['answered']} answered" for label, s in servers.items()]
        line = " · ".join(parts)
        self.stream.write(f"\r{line}\x1b[K" if self.tty else f"{line}\n")
        self.stream.flush()

    def end(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _write_run(root: Path, out_dir: Path, config: Config, runs: Sequence[PartsRun],
               failures: Mapping[str, str], statuses: Mapping[str, str],
               wall_s: float) -> RunSummary:
    """The run folder as the local engine writes it (`finish_parts`): each leaf whose
    groups all arrived, then summary.json; a leaf whose task failed is an error (the next
    build retries it)."""
    failed = [failed_leaf(rel, statuses.get(rel, "modified"),
                          f"the Ray task failed ({reason}); the next build retries this leaf",
                          failure=False)
              for rel, reason in sorted(failures.items())]
    return finish_parts(root, out_dir, config, runs, statuses, failed, wall_s)
