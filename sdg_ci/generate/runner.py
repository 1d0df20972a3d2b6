"""`generate()`: the door to generation, called by the CLI, `sdg-ci check` and builds.

Loads the leaves, runs every leaf concurrently against the shared endpoints, writes per leaf
`pairs.jsonl` and `rejected.jsonl` and the run's `summary.json`, and returns the summary.
A leaf that cannot be read or whose documents fail is reported and skipped; the others go on.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path

from sdg_ci import __version__
from sdg_ci.config import Config
from sdg_ci.generate.flows.context import RunContext, resolve_scale
from sdg_ci.generate.flows.kinds import FLOWS
from sdg_ci.generate.flows.pipeline import run_flow
from sdg_ci.generate.ledger.dedup import final_dedup
from sdg_ci.generate.ledger.ledger import LeafLedger
from sdg_ci.generate.ledger.output import write_leaf
from sdg_ci.generate.ledger.progress import Progress
from sdg_ci.generate.ledger.summary import summarize
from sdg_ci.generate.model.client import LimiterFactory, ModelClient
from sdg_ci.generate.model.endpoint import Endpoint, public_url
from sdg_ci.outdir import run_lock, write_text_atomic
from sdg_ci.records.run import LeafSummary, ModelInfo, RunSummary, Usage
from sdg_ci.taxonomy.leaf import LeafReadError, leaf_kind, load_leaf

SUMMARY_FILE = "summary.json"
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
    settings = config.generate
    root = Path(root)
    out_dir = Path(out_dir)
    cache_dir = Path(settings.cache_dir)
    cache_dir = cache_dir if cache_dir.is_absolute() else root / cache_dir
    display = Progress(enabled=progress, interval_s=settings.progress_interval_s)
    scale = resolve_scale(settings, settings.scale)
    ctx = RunContext(settings, config.documents, cache_dir, settings.scale, scale,
                     ModelClient(settings, cache_dir, environ, limiter_factory), display)
    models = ctx.models
    statuses = statuses or {}
    ledgers: list[LeafLedger] = []
    unreadable: list[LeafSummary] = []
    for rel in dict.fromkeys(leaf_files):
        try:
            leaf = load_leaf(root, rel)
        except LeafReadError as exc:
            unreadable.append(LeafSummary(
                path=rel, kind=leaf_kind(None, rel).value, status=statuses.get(rel, "modified"),
                errors=1, notes=[f"cannot read the leaf: {exc.diagnostic.message}"],
                failure=f"cannot read the leaf: {exc.diagnostic.message}"))
            continue
        ledger = LeafLedger(leaf, len(ledgers), statuses.get(rel, "modified"), display)
        ledger.asked = list((asked or {}).get(rel, ()))
        ledgers.append(ledger)

    walls: dict[int, float] = {}
    ticker = asyncio.create_task(display.run(models.endpoints))
    try:
        await asyncio.gather(*(_generate_leaf(ctx, ledger, walls) for ledger in ledgers))
    finally:
        ticker.cancel()
        await asyncio.gather(ticker, return_exceptions=True)
        await models.close()

    model_names = {"teacher": models.teacher.model, "critic": models.critic.model}
    summary = RunSummary(tool_version=__version__, scale=ctx.scale_name,
                         models=_model_infos(models))
    for ledger in ledgers:
        final_dedup(ledger, settings.near_duplicate_threshold)
        leaf = summarize(ledger, walls.get(ledger.index, 0.0))
        leaf.data_file, leaf.rejected_file = write_leaf(ledger, out_dir, model_names)
        summary.leaves.append(leaf)
    summary.leaves.extend(unreadable)
    summary.leaves.sort(key=lambda leaf: leaf.path)
    summary.usage = Usage.total(leaf.usage for leaf in summary.leaves)
    summary.wall_s = round(time.monotonic() - started, 3)
    summary.notes = _run_notes(models, summary)
    write_text_atomic(out_dir / SUMMARY_FILE, summary.model_dump_json(indent=2) + "\n")
    return summary


async def _generate_leaf(ctx: RunContext, ledger: LeafLedger, walls: dict[int, float]) -> None:
    started = time.monotonic()
    try:
        await run_flow(ctx, ledger, FLOWS[ledger.leaf.kind])
    except Exception as exc:  # noqa: BLE001 - one leaf's failure must not stop the others
        where = traceback.extract_tb(exc.__traceback__)[-1]
        ledger.give_up(f"internal error: {type(exc).__name__}: {exc} "
                       f"(at {Path(where.filename).name}:{where.lineno}); please report it")
    walls[ledger.index] = time.monotonic() - started


def _model_infos(models: ModelClient) -> list[ModelInfo]:
    def info(role: str, endpoint: Endpoint) -> ModelInfo:
        if endpoint.kind == "embedded":
            return ModelInfo(role=role, model=endpoint.model, endpoint="embedded")
        return ModelInfo(role=role, model=endpoint.model,
                         endpoint=", ".join(public_url(r.url) for r in endpoint.replicas),
                         requests_per_replica=endpoint.requests_per_replica())

    return [info("teacher", models.teacher), info("critic", models.critic)]


def _run_notes(models: ModelClient, summary: RunSummary) -> list[str]:
    notes = []
    if models.uses_embedded:
        notes.append(EMBEDDED_NOTE)
    if summary.leaves and summary.pairs_kept == 0:
        notes.append("nothing was generated: no leaf produced a kept pair (see each leaf's "
                     "notes and rejections)")
    weak = [leaf.path for leaf in summary.leaves if leaf.teacher_too_weak]
    if weak:
        notes.append(f"the teacher is too weak for {len(weak)} of {len(summary.leaves)} "
                     "leaves (see their notes): its output is not usable training data")
    summary.weak_critic_leaves = [leaf.path for leaf in summary.leaves if leaf.weak_critic]
    if summary.weak_critic_leaves:
        notes.append(f"weak critic on {len(summary.weak_critic_leaves)} of "
                     f"{len(summary.leaves)} leaves (see their notes): its verdicts filtered "
                     "little or nothing, so the kept pairs were not really reviewed. Point "
                     "generate.critic at a stronger model than the teacher.")
    usage = summary.usage
    if usage.cache_hits and not usage.requests:
        notes.append(f"all {usage.cache_hits} model calls were replayed from the cache "
                     f"({models.cache.path})")
    errors = sum(leaf.errors for leaf in summary.leaves)
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
