"""Top-up: more rounds of questions for a leaf below its target, until it meets it or its
source is spent.

Each round asks only for new questions: the leaf's kept questions go to the teacher as
"already asked" and to the duplicate check, and the round samples with its own seed (so
nothing is replayed from the cache). A knowledge leaf's round also asks about pairs of
neighbouring chunks (questions that join two chunks) and, at a scale that leaves chunks
out, takes in other chunks. Its rows pass the same critic and rating as the
first pass, then join the leaf's store unless they repeat a stored question. A round that
adds almost nothing (fewer than `build.min_round_yield` of what is missing) means the
source is exhausted; `build.max_rounds` bounds the rest.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdg_ci.build.assemble import read_records
from sdg_ci.build.store import data_digest, write_atomic
from sdg_ci.config import Config
from sdg_ci.generate.ledger.dedup import DedupIndex
from sdg_ci.records.run import RunSummary
from sdg_ci.taxonomy.leaf import taxonomy_path

MAX_FACTOR = 3  # a round asks for at most this many times the first pass's questions
SEED_STEP = 1009  # each round samples with seed + round * SEED_STEP


@dataclass
class TopUpResult:
    summaries: list[RunSummary] = field(default_factory=list)
    rounds: int = 0  # rounds run (over all leaves)

    @property
    def requests(self) -> int:
        return sum(s.usage.requests for s in self.summaries)


def what_would_help(kind: str | None) -> str:
    if kind == "knowledge":
        return "more or longer documents (or more seed examples) would help"
    return "more, and more varied, seed examples would help"


def _question(record: dict[str, Any]) -> str:
    for message in record.get("messages") or []:
        if isinstance(message, dict) and message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


def round_config(config: Config, round_no: int, factor: int) -> Config:
    """The first pass's settings with the round's seed and `factor` times the questions."""
    cfg = config.model_copy(deep=True)
    g = cfg.generate
    g.seed = g.seed + round_no * SEED_STEP
    for table in (g.questions_per_seed, g.contexts_per_seed, g.questions_per_chunk):
        if g.scale in table:
            table[g.scale] = table[g.scale] * factor
    if g.max_chunks.get(g.scale):  # a scale that leaves chunks out: take in others too
        g.max_chunks[g.scale] = g.max_chunks[g.scale] * (factor + 1)
    return cfg


def merge_round(dataset: Path, entry: dict[str, Any], new: list[dict[str, Any]],
                round_no: int, threshold: float) -> int:
    """Append the round's rows that repeat no stored question; returns how many."""
    path = dataset / entry["data_file"]
    pool = read_records(path)
    index = DedupIndex(threshold)
    for record in pool:
        index.check(_question(record))
    added = []
    for record in new:
        if index.check(_question(record)) is not None:
            continue
        meta = record.setdefault("metadata", {})
        if isinstance(meta, dict):
            meta["round"] = round_no
            if meta.get("row_id"):
                meta["row_id"] = f"r{round_no}-{meta['row_id']}"
        added.append(record)
    if added:
        rows = pool + added
        write_atomic(path, lambda out: out.writelines(
            json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        entry["pairs"], entry["data_sha256"] = data_digest(path)
    return len(added)


def raised_targets(paths: list[str], entries: dict[str, dict[str, Any]],
                   config: Config) -> list[str]:
    """Of `paths` (leaves this build does not regenerate), those below a target that was
    raised since their last top-up: the one reason an unchanged leaf costs model calls."""
    settings, scale = config.build, config.generate.scale
    raised = []
    for p in paths:
        entry = entries.get(p)
        if not entry or not entry.get("complete") or entry.get("invalid"):
            continue
        target = settings.target_for(taxonomy_path(p), scale)
        if int(entry.get("pairs", 0) or 0) < target and target > int(entry.get("target") or 0):
            raised.append(p)
    return raised


def top_up(root: Path, dataset: Path, paths: list[str], entries: dict[str, dict[str, Any]],
           config: Config, generate: Callable[..., RunSummary], run_dir: Path,
           progress: bool, continuing: frozenset[str] = frozenset()) -> TopUpResult:
    """Top up `paths` in rounds; records on each entry the target it aimed for, its rounds,
    questions generated and, when it stays short, the reason. `continuing`: leaves kept from
    an earlier build (their target was raised): their rounds go on from the last one
    recorded, with that round's new seed (no reply is replayed from the cache)."""
    settings, scale = config.build, config.generate.scale
    threshold = config.generate.near_duplicate_threshold
    result = TopUpResult()
    last_yield = {p: int(entries[p].get("pairs", 0) or 0) for p in paths}
    active = [p for p in paths if entries[p].get("complete")]
    done = {p: int(entries[p].get("rounds", 0) or 0) if p in continuing else 0 for p in paths}

    def gap(p: str) -> int:
        return settings.target_for(taxonomy_path(p), scale) - int(entries[p]["pairs"] or 0)

    for p in active:
        entries[p].pop("short_reason", None)
        entries[p]["rounds"] = done[p]
        if settings.max_rounds:  # (top-up off: the leaf has had no rounds for its target)
            entries[p]["target"] = settings.target_for(taxonomy_path(p), scale)
        if gap(p) > 0 and last_yield[p] == 0:
            entries[p]["short_reason"] = ("its generation kept no rows, so more rounds would "
                                          f"not either; {what_would_help(entries[p]['kind'])}")
    active = [p for p in active if gap(p) > 0 and last_yield[p] > 0]
    for round_no in range(1, settings.max_rounds + 1):
        if not active:
            break
        result.rounds = round_no
        groups: dict[tuple[int, int], list[str]] = {}  # (the leaf's round, factor) -> leaves
        for p in active:
            factor = min(MAX_FACTOR, max(1, math.ceil(gap(p) / last_yield[p])))
            groups.setdefault((done[p] + round_no, factor), []).append(p)
        still: list[str] = []
        for (leaf_round, factor), group in sorted(groups.items()):
            out = run_dir / f"round-{leaf_round}-x{factor}"
            asked = {p: [_question(r) for r in read_records(dataset / entries[p]["data_file"])]
                     for p in group}
            summary = generate(root, group, round_config(config, leaf_round, factor), out,
                               statuses=dict.fromkeys(group, "topup"), progress=progress,
                               asked=asked)
            result.summaries.append(summary)
            by_leaf = {leaf.path: leaf for leaf in summary.leaves}
            for p in group:
                entry, leaf = entries[p], by_leaf.get(p)
                missing = gap(p)
                new = read_records(out / leaf.data_file) if leaf and leaf.data_file else []
                added = merge_round(dataset, entry, new, leaf_round, threshold)
                entry["rounds"] = leaf_round
                entry["generated"] = int(entry.get("generated", 0) or 0) + (
                    leaf.questions_generated if leaf else 0)
                last_yield[p] = added
                if gap(p) <= 0:
                    continue
                if leaf is None or leaf.errors:
                    entry["short_reason"] = (f"top-up round {leaf_round} had generation errors; "
                                             "the next full build retries it")
                elif added < max(1, math.ceil(settings.min_round_yield * missing)):
                    entry["short_reason"] = (
                        f"source exhausted: top-up round {leaf_round} added {added} new rows "
                        f"where {missing} were missing; {what_would_help(entry['kind'])}")
                else:
                    still.append(p)
        active = still
    for p in active:
        help_ = what_would_help(entries[p]["kind"])
        entries[p]["short_reason"] = (
            f"stopped at the round limit (build.max_rounds = {settings.max_rounds}) with "
            f"{entries[p]['pairs']} rows; {help_}, or raise build.max_rounds"
            if settings.max_rounds else f"top-up is off (build.max_rounds = 0); {help_}")
    return result
