"""Finishing a run: each leaf's final dedup, summary and files, then the run's summary.json.

Why one path: a local run finishes the ledgers it generated; a Ray build finishes ledgers
merged from the parts its tasks sent back (`ledger.part`). Both go through `finish_run`, so
the same rows give the same files. The notes about the leaves (nothing generated, a weak
teacher or critic, all replayed from the cache) are made here from the finished leaves;
the notes about the models (embedded, an endpoint down) come from whoever ran them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sdg_ci import __version__
from sdg_ci.config import Config
from sdg_ci.generate.ledger.dedup import final_dedup
from sdg_ci.generate.ledger.ledger import LeafLedger
from sdg_ci.generate.ledger.output import write_leaf
from sdg_ci.generate.ledger.part import LeafPart, PartsError, merge_parts
from sdg_ci.generate.ledger.summary import summarize
from sdg_ci.outdir import write_text_atomic
from sdg_ci.records.run import LeafSummary, ModelInfo, RunSummary, Usage
from sdg_ci.taxonomy.leaf import LeafReadError, leaf_kind, load_leaf

SUMMARY_FILE = "summary.json"


@dataclass
class PartsRun:
    """What one process that generated parts of leaves hands back (a Ray task's result)."""

    parts: list[LeafPart]
    models: list[ModelInfo]
    notes: list[str]  # about the models: embedded, an endpoint down
    scale: str
    cache_path: str  # the response cache, for the note "all replayed from the cache"


@dataclass
class RunInfo:
    """The run-level facts a finished summary records."""

    scale: str
    models: list[ModelInfo]
    model_notes: list[str]
    cache_path: str
    near_duplicate_threshold: float
    wall_s: float = 0.0


def failed_leaf(rel: str, status: str, why: str, *, failure: bool = True) -> LeafSummary:
    """A leaf with no rows: it could not be read, or its generation was lost."""
    return LeafSummary(path=rel, kind=leaf_kind(None, rel).value, status=status, errors=1,
                       notes=[why], failure=why if failure else None)


def finish_run(out_dir: Path, ledgers: Sequence[LeafLedger], walls: Mapping[str, float],
               failed: Sequence[LeafSummary], info: RunInfo) -> RunSummary:
    """Write each leaf's pairs.jsonl and rejected.jsonl and the run's summary.json."""
    model_names = {m.role: m.model for m in info.models}
    summary = RunSummary(tool_version=__version__, scale=info.scale, models=info.models)
    for ledger in ledgers:
        final_dedup(ledger, info.near_duplicate_threshold)
        leaf = summarize(ledger, walls.get(ledger.path, 0.0))
        leaf.data_file, leaf.rejected_file = write_leaf(ledger, out_dir, model_names)
        summary.leaves.append(leaf)
    summary.leaves.extend(failed)
    summary.leaves.sort(key=lambda leaf: leaf.path)
    summary.usage = Usage.total(leaf.usage for leaf in summary.leaves)
    summary.wall_s = round(info.wall_s, 3)
    summary.notes = [*info.model_notes, *leaf_notes(summary, info.cache_path)]
    write_text_atomic(out_dir / SUMMARY_FILE, summary.model_dump_json(indent=2) + "\n")
    return summary


def finish_parts(root: Path, out_dir: Path, config: Config, runs: Sequence[PartsRun],
                 statuses: Mapping[str, str], failed: Sequence[LeafSummary],
                 wall_s: float) -> RunSummary:
    """Finish the leaves whose parts were generated elsewhere: each leaf's parts (all its
    groups) merged into one ledger, then `finish_run`. A leaf whose parts do not make the
    whole leaf is an error (the next build retries it), never half a leaf."""
    by_leaf: dict[str, list[LeafPart]] = {}
    for run in runs:
        for part in run.parts:
            by_leaf.setdefault(part.path, []).append(part)
    ledgers, walls, lost = [], {}, list(failed)
    for rel, parts in sorted(by_leaf.items()):
        status = statuses.get(rel, "modified")
        try:
            leaf = load_leaf(root, rel)
            ledgers.append(merge_parts(leaf, len(ledgers), status, parts))
        except LeafReadError as exc:
            lost.append(failed_leaf(rel, status, unreadable(exc)))
            continue
        except PartsError as exc:
            lost.append(failed_leaf(rel, status, f"{exc}; the next build retries this leaf"))
            continue
        walls[rel] = sum(p.wall_s for p in parts)
    first = runs[0] if runs else None
    notes = list(dict.fromkeys(note for run in runs for note in run.notes))
    info = RunInfo(scale=first.scale if first else config.generate.scale,
                   models=merge_models(run.models for run in runs), model_notes=notes,
                   cache_path=first.cache_path if first else "",
                   near_duplicate_threshold=config.generate.near_duplicate_threshold,
                   wall_s=wall_s)
    return finish_run(out_dir, ledgers, walls, lost, info)


def merge_models(infos: Iterable[Sequence[ModelInfo]]) -> list[ModelInfo]:
    """Each role's model once, with the requests every process sent its replicas."""
    merged: dict[str, ModelInfo] = {}
    for models in infos:
        for info in models:
            if info.role not in merged:
                merged[info.role] = info.model_copy(update={"requests_per_replica": {}})
            counts = merged[info.role].requests_per_replica
            for url, n in info.requests_per_replica.items():
                counts[url] = counts.get(url, 0) + n
    return list(merged.values())


def unreadable(exc: LeafReadError) -> str:
    return f"cannot read the leaf: {exc.diagnostic.message}"


def leaf_notes(summary: RunSummary, cache_path: str) -> list[str]:
    """The run's notes about its leaves, read from their summaries."""
    notes = []
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
                     f"({cache_path})")
    return notes
