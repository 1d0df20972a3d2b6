"""`generate()`: the door to generation, called by the CLI, `sdg-ci check` and builds.

Loads the leaves, runs every leaf concurrently against the shared endpoints, writes per leaf
`pairs.jsonl` and `rejected.jsonl` and the run's `summary.json` (`finish`), and returns the
summary. A leaf that cannot be read or whose documents fail is reported and skipped; the
others go on. `generate_parts` runs groups of leaves' units without finishing them (a Ray
build's tasks); the driver finishes the leaves with `finish.finish_parts`.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Awaitable, Mapping, Sequence
from pathlib import Path

from sdg_ci.config import Config
from sdg_ci.errors import SdgCiError
from sdg_ci.generate import finish
from sdg_ci.generate.finish import PartsRun, RunInfo, failed_leaf, finish_run
from sdg_ci.generate.flows.context import RunContext, resolve_scale
from sdg_ci.generate.flows.flow import UnitGroup
from sdg_ci.generate.flows.kinds import FLOWS
from sdg_ci.generate.flows.pipeline import run_flow
from sdg_ci.generate.ledger.ledger import LeafLedger
from sdg_ci.generate.ledger.part import LeafPart, call_errors, part_of
from sdg_ci.generate.ledger.progress import Progress
from sdg_ci.generate.model.client import LimiterFactory, ModelClient
from sdg_ci.generate.model.endpoint import Endpoint, public_url
from sdg_ci.outdir import run_lock
from sdg_ci.records.run import LeafSummary, ModelInfo, RunSummary
from sdg_ci.taxonomy.leaf import LeafReadError, load_leaf

SUMMARY_FILE = finish.SUMMARY_FILE
EMBEDDED_NOTE = (
    "Models: the embedded default (SmolLM2-135M, on CPU). It checks that the pipeline runs "
    "end to end; its questions, answers and scores are not training data. Point "
    "generate.teacher (and critic) at a real endpoint for that (README: Generate)."
)


def generate(root: Path, leaf_files: list[str], config: Config, out_dir: Path,
             statuses: dict[str, str] | None = None, progress: bool = True,
             environ: Mapping[str, str] | None = None,
             asked: Mapping[str, Sequence[str]] | None = None,
             limiter_factory: LimiterFactory | None = None) -> RunSummary:
    """Generate, score and write data for `leaf_files` (qna.yaml paths relative to `root`).

    API keys are read from `environ` (None: this process's environment). `asked`: per leaf,
    questions kept earlier (a build's top-up round): new questions must differ from them.
    `limiter_factory` shares each server's concurrency limit with other processes (a Ray
    build). The run holds `out_dir` (a second run into it is refused, see `sdg_ci.outdir`).
    """
    with run_lock(Path(out_dir), "generate"):
        return asyncio.run(generate_async(root, leaf_files, config, out_dir, statuses,
                                          progress, environ, asked=asked,
                                          limiter_factory=limiter_factory))


async def generate_async(root: Path, leaf_files: list[str], config: Config, out_dir: Path,
                         statuses: dict[str, str] | None = None, progress: bool = True,
                         environ: Mapping[str, str] | None = None,
                         asked: Mapping[str, Sequence[str]] | None = None,
                         limiter_factory: LimiterFactory | None = None) -> RunSummary:
    started = time.monotonic()
    root = Path(root)
    statuses = statuses or {}
    ctx = _context(root, config, Progress(enabled=progress,
                                          interval_s=config.generate.progress_interval_s),
                   environ, limiter_factory)
    ledgers: list[LeafLedger] = []
    unreadable: list[LeafSummary] = []
    for rel in dict.fromkeys(leaf_files):
        status = statuses.get(rel, "modified")
        try:
            ledgers.append(_ledger(ctx, root, rel, len(ledgers), status, asked))
        except LeafReadError as exc:
            unreadable.append(failed_leaf(rel, status, finish.unreadable(exc)))

    walls: dict[str, float] = {}

    async def one(ledger: LeafLedger) -> None:
        _, walls[ledger.path] = await _generate_leaf(ctx, ledger, None)

    await _running(ctx, *(one(ledger) for ledger in ledgers))
    models = ctx.models
    errors = sum(call_errors(ledger.stages, ledger.errors) for ledger in ledgers)
    info = RunInfo(scale=ctx.scale_name, models=_model_infos(models),
                   model_notes=model_notes(models, errors + len(unreadable)),
                   cache_path=str(models.cache.path),
                   near_duplicate_threshold=config.generate.near_duplicate_threshold,
                   wall_s=time.monotonic() - started)
    return finish_run(Path(out_dir), ledgers, walls, unreadable, info)


def generate_parts(root: Path, requests: Sequence[tuple[str, int]], config: Config, *,
                   chunks_per_task: int, statuses: Mapping[str, str] | None = None,
                   environ: Mapping[str, str] | None = None,
                   asked: Mapping[str, Sequence[str]] | None = None,
                   limiter_factory: LimiterFactory | None = None) -> PartsRun:
    """Generate groups of leaves' units and hand back their unfinished ledgers (a Ray
    task's share of a build); `finish.finish_parts` finishes the leaves once every group
    has arrived. `requests`: (leaf, group) pairs; a knowledge leaf's units are split into
    groups of `chunks_per_task`, each part says how many groups its leaf has; a skill leaf
    is one group. Writes no run folder (only the caches)."""
    if chunks_per_task < 1:
        raise SdgCiError(f"chunks_per_task must be 1 or more, not {chunks_per_task}")
    return asyncio.run(_generate_parts(Path(root), requests, config, chunks_per_task,
                                       statuses or {}, environ, asked, limiter_factory))


async def _generate_parts(root: Path, requests: Sequence[tuple[str, int]], config: Config,
                          chunks_per_task: int, statuses: Mapping[str, str],
                          environ: Mapping[str, str] | None,
                          asked: Mapping[str, Sequence[str]] | None,
                          limiter_factory: LimiterFactory | None) -> PartsRun:
    ctx = _context(root, config, Progress(enabled=False), environ, limiter_factory)
    parts: list[LeafPart] = []

    async def one(index: int, rel: str, group: int) -> None:
        status = statuses.get(rel, "modified")
        try:
            ledger = _ledger(ctx, root, rel, index, status, asked)
        except LeafReadError as exc:
            why = finish.unreadable(exc)
            parts.append(LeafPart(path=rel, group=group, groups=1, notes=[why], errors=1,
                                  failure=why))
            return
        groups, wall = await _generate_leaf(ctx, ledger, UnitGroup(group, chunks_per_task))
        parts.append(part_of(ledger, group, groups, wall))

    await _running(ctx, *(one(i, rel, group) for i, (rel, group) in enumerate(requests)))
    errors = sum(part.call_errors for part in parts)
    parts.sort(key=lambda p: (p.path, p.group))
    return PartsRun(parts=parts, models=_model_infos(ctx.models),
                    notes=model_notes(ctx.models, errors), scale=ctx.scale_name,
                    cache_path=str(ctx.models.cache.path))


def _context(root: Path, config: Config, display: Progress, environ: Mapping[str, str] | None,
             limiter_factory: LimiterFactory | None) -> RunContext:
    settings = config.generate
    cache_dir = Path(settings.cache_dir)
    cache_dir = cache_dir if cache_dir.is_absolute() else root / cache_dir
    return RunContext(settings, config.documents, cache_dir, settings.scale,
                      resolve_scale(settings, settings.scale),
                      ModelClient(settings, cache_dir, environ, limiter_factory), display)


def _ledger(ctx: RunContext, root: Path, rel: str, index: int, status: str,
            asked: Mapping[str, Sequence[str]] | None) -> LeafLedger:
    ledger = LeafLedger(load_leaf(root, rel), index, status, ctx.progress)
    ledger.asked = list((asked or {}).get(rel, ()))
    return ledger


async def _running(ctx: RunContext, *leaves: Awaitable[None]) -> None:
    """Run the leaves with the progress display ticking; close the models after."""
    assert ctx.progress is not None
    ticker = asyncio.create_task(ctx.progress.run(ctx.models.endpoints))
    try:
        await asyncio.gather(*leaves)
    finally:
        ticker.cancel()
        await asyncio.gather(ticker, return_exceptions=True)
        await ctx.models.close()


async def _generate_leaf(ctx: RunContext, ledger: LeafLedger,
                         group: UnitGroup | None) -> tuple[int, float]:
    """(how many groups the leaf has, seconds it took); an internal error fails the leaf."""
    started = time.monotonic()
    groups = 1
    try:
        groups = await run_flow(ctx, ledger, FLOWS[ledger.leaf.kind], group)
    except Exception as exc:  # noqa: BLE001 - one leaf's failure must not stop the others
        where = traceback.extract_tb(exc.__traceback__)[-1]
        ledger.give_up(f"internal error: {type(exc).__name__}: {exc} "
                       f"(at {Path(where.filename).name}:{where.lineno}); please report it")
    return groups, time.monotonic() - started


def _model_infos(models: ModelClient) -> list[ModelInfo]:
    def info(role: str, endpoint: Endpoint) -> ModelInfo:
        if endpoint.kind == "embedded":
            return ModelInfo(role=role, model=endpoint.model, endpoint="embedded")
        return ModelInfo(role=role, model=endpoint.model,
                         endpoint=", ".join(public_url(r.url) for r in endpoint.replicas),
                         requests_per_replica=endpoint.requests_per_replica())

    return [info("teacher", models.teacher), info("critic", models.critic)]


def model_notes(models: ModelClient, errors: int) -> list[str]:
    """The run's notes about its models: the embedded one, an endpoint that was down.
    `errors`: failed calls and leaf errors of the leaves these models served."""
    notes = []
    if models.uses_embedded:
        notes.append(EMBEDDED_NOTE)
    for role, endpoint in _roles(models):
        unreachable = sum(n for reason, n in endpoint.faults.items()
                          if reason.startswith(UNREACHABLE))
        if not (endpoint.down_reason or (errors and unreachable)):
            continue
        where = ("the embedded model" if endpoint.kind == "embedded"
                 else f"the {role} endpoint {public_url(endpoint.base_url)}")
        what = endpoint.down_reason or f"{unreachable} calls could not reach it"
        fix = ("" if endpoint.kind == "embedded" else
               f" Check that the server is running and answers at that URL "
               f"(generate.{role}.url in .sdg-ci.yaml, or --{role}-url), then re-run:")
        notes.append(f"{where}: {what}; the rows after that are recorded as errors.{fix} "
                     "finished calls are replayed from the cache, so a re-run only asks for "
                     "the rest. Re-running against a server that is down does not help.")
    return notes


UNREACHABLE = ("connection error", "timeout")


def _roles(models: ModelClient) -> list[tuple[str, Endpoint]]:
    """Each endpoint once, named by its first role (teacher, critic)."""
    seen: dict[int, tuple[str, Endpoint]] = {}
    for role, endpoint in (("teacher", models.teacher), ("critic", models.critic)):
        seen.setdefault(id(endpoint), (role, endpoint))
    return list(seen.values())
