"""`build_dataset`: bring a dataset folder up to date with the taxonomy, in small steps.

Diff the range → fingerprint the current leaves → plan (generate / move / remove / keep) →
validate the leaves to generate (invalid ones cost no model call) → generate (into
`last_run/`; if it fails, the store is untouched) → store the generated and moved leaves,
drop the removed ones → top up leaves below target → assemble train.jsonl (selection to
target, weights) → balance.json, dataset card → manifest.json (last).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdg_ci.build.assemble import LeafBalance, assemble
from sdg_ci.build.balance import balance_report, write_balance
from sdg_ci.build.card import write_card
from sdg_ci.build.fingerprint import leaf_fingerprint, settings_fingerprint
from sdg_ci.build.manifest import Manifest, load_manifest, write_manifest
from sdg_ci.build.plan import BuildPlan, plan_build
from sdg_ci.build.store import (
    copy_atomic,
    copy_data,
    data_digest,
    data_file_for,
    locked,
    move_data,
    remove_data,
)
from sdg_ci.build.topup import TopUpResult, raised_targets, top_up
from sdg_ci.config import Config
from sdg_ci.diagnostics import FileResult
from sdg_ci.errors import SdgCiError
from sdg_ci.gitcmd import user_repo_git_text
from sdg_ci.records.run import RunSummary
from sdg_ci.taxonomy.gitdiff import EMPTY_BASE, DiffResult, diff_taxonomy
from sdg_ci.taxonomy.leaf import find_leaf_files, is_leaf_path
from sdg_ci.validate import validate

LAST_RUN = "last_run"
SUMMARY = "summary.json"

GenerateFn = Callable[..., RunSummary]


def _real_generate(
    root: Path,
    leaf_files: list[str],
    config: Config,
    out_dir: Path,
    statuses: dict[str, str] | None = None,
    progress: bool = True,
    asked: dict[str, list[str]] | None = None,
) -> RunSummary:
    # deliberate lazy import: `sdg-ci build` is registered at CLI start-up, and the model
    # client is slow to import
    from sdg_ci.generate.runner import generate

    return generate(root, leaf_files, config, out_dir, statuses=statuses, progress=progress,
                    asked=asked)


@dataclass
class BuildResult:
    dataset: Path
    commit: str | None  # the taxonomy commit the dataset now reflects
    diff: DiffResult | None
    generated: list[str] = field(default_factory=list)  # leaves sent to generation
    moved: dict[str, str] = field(default_factory=dict)  # new path -> old path (no model call)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)  # retried by the next build
    leaves: int = 0  # leaves in the dataset
    pairs: int = 0  # pairs in train.jsonl
    notes: list[str] = field(default_factory=list)
    summary: RunSummary | None = None
    invalid: dict[str, list[str]] = field(default_factory=dict)  # path -> diagnostics
    topup: TopUpResult | None = None
    balance: dict[str, LeafBalance] = field(default_factory=dict)  # leaf folder -> line
    report: dict[str, Any] = field(default_factory=dict)  # balance.json

    @property
    def requests(self) -> int:
        """Model requests of this build: the first pass and every top-up round."""
        first = self.summary.usage.requests if self.summary else 0
        return first + (self.topup.requests if self.topup else 0)


def build_dataset(
    root: Path,
    dataset: Path,
    *,
    commits: str | None = None,
    base: str | None = None,
    config: Config | None = None,
    scale: str | None = "full",
    full: bool = False,
    fetch: bool = False,
    progress: bool = True,
    generate: GenerateFn | None = None,
) -> BuildResult:
    """Bring `dataset` up to date with the taxonomy at `root` (checked out at HEAD).

    `commits` (`A..B`, B must be HEAD) or `base` name the change; with neither, the diff
    starts at the commit recorded in the manifest (every leaf is new for a new dataset).
    `full` regenerates every leaf. `generate` is the engine's entry point (injectable)."""
    root = Path(root).resolve()
    dataset = Path(dataset).resolve()
    generate = generate or _real_generate
    config = (config or Config()).model_copy(deep=True)
    if scale:
        config.generate.scale = scale  # type: ignore[assignment]
    if commits and base:
        raise SdgCiError("--commits A..B already names the base; drop --base")
    with locked(dataset):
        manifest = load_manifest(dataset)
        result = BuildResult(dataset=dataset, commit=None, diff=None)
        diff = _diff(root, manifest, commits, base, fetch, result)
        result.diff = diff
        result.commit = _commit_built(root, diff, commits)
        fingerprint = settings_fingerprint(config)
        _note_settings_change(result, manifest, fingerprint, full)
        current = _current_leaves(root)
        plan = plan_build(dataset, manifest, current, diff, full=full)
        for path, problem in sorted(plan.damaged.items()):
            result.notes.append(
                f"{path}: its data file does not match the manifest ({problem}); regenerated"
            )
        if plan.reconciled and manifest["leaves"] and diff is not None:
            result.notes.append(
                f"{len(plan.reconciled)} leaves were out of date in the manifest without "
                "changing in this range (an earlier build skipped or failed); regenerated"
            )
        entries: dict[str, dict[str, Any]] = dict(manifest["leaves"])
        _validate_step(root, plan, config, current, entries, result)
        summary = _generate(root, dataset, plan, config, generate, progress)
        result.summary = summary
        _record_digests(dataset, plan, entries)
        _store_generated(dataset, plan, summary, current, entries, result)
        _store_moved(dataset, plan, current, entries)
        _drop_removed(dataset, plan, entries)
        result.topup = _top_up_step(root, dataset, plan, config, entries, generate, progress)
        result.generated = sorted(plan.generate)
        result.moved = dict(sorted(plan.move.items()))
        result.removed = plan.remove
        result.unchanged = plan.unchanged
        result.leaves = len(entries)
        _assemble_step(root, dataset, config, entries, result)
        write_manifest(dataset, commit=result.commit, settings=fingerprint,
                       scale=config.generate.scale, pairs=result.pairs, entries=entries)
    return result


# ----------------------------------------------------------------------------- steps


def _validate_step(root: Path, plan: BuildPlan, config: Config,
                   current: dict[str, dict[str, Any]], entries: dict[str, dict[str, Any]],
                   result: BuildResult) -> None:
    """Validate the leaves about to be generated (as `check` does); an invalid one leaves
    the plan (no model call) and its entry is marked so assembly keeps its data out."""
    files = sorted(plan.generate)
    if not files:
        return
    results: list[FileResult] = validate(files, root=root, settings=config.validate_)
    for file in results:
        if file.valid:
            continue
        diagnostics = [f"{d.line}:{d.column}: {d.code} {d.message}" for d in file.errors]
        result.invalid[file.path] = diagnostics
        plan.generate.pop(file.path, None)
        old = entries.get(file.path) or {}
        entries[file.path] = {
            **old, **current.get(file.path, {}), "data_file": data_file_for(file.path),
            "pairs": old.get("pairs", 0), "data_sha256": old.get("data_sha256"),
            "complete": False, "invalid": True, "diagnostics": diagnostics,
            "commit": result.commit,
        }


def _diff(root: Path, manifest: Manifest, commits: str | None, base: str | None, fetch: bool,
          result: BuildResult) -> DiffResult | None:
    if commits:
        return diff_taxonomy(root, commits=commits, fetch=fetch)
    if base:
        return diff_taxonomy(root, base, mode="committed", fetch=fetch)
    since = manifest.get("commit") if manifest["leaves"] else None
    try:
        if since:
            return diff_taxonomy(root, commits=f"{since}..HEAD", fetch=fetch)
        return diff_taxonomy(root, EMPTY_BASE, mode="committed")
    except SdgCiError as exc:
        result.notes.append(f"no git diff ({exc}); comparing content hashes only")
        return None


def _commit_built(root: Path, diff: DiffResult | None, commits: str | None) -> str | None:
    """The commit the dataset will reflect; `A..B` must end at the checked-out HEAD."""
    commit = diff.head if diff else _head(root)
    if diff and commits and diff.head and diff.head != _head(root):
        raise SdgCiError(
            f"the build reads leaves from the checked-out files, but {commits} ends at "
            f"{diff.head[:12]} and HEAD is {(_head(root) or '?')[:12]}; check out "
            "that commit first"
        )
    return commit


def _note_settings_change(result: BuildResult, manifest: Manifest, fingerprint: str,
                          full: bool) -> None:
    old_fingerprint = manifest.get("settings")
    if manifest["leaves"] and old_fingerprint and old_fingerprint != fingerprint and not full:
        result.notes.append(
            "the generation settings changed since this dataset was built; leaves are "
            "regenerated only when they change: pass --full to regenerate every leaf"
        )


def _current_leaves(root: Path) -> dict[str, dict[str, Any]]:
    """Every leaf at `root` now, with its fingerprint."""
    return {rel: leaf_fingerprint(root, rel) for rel in find_leaf_files(root)
            if is_leaf_path(rel) and (root / rel).is_file()}


def _generate(root: Path, dataset: Path, plan: BuildPlan, config: Config,
              generate: GenerateFn, progress: bool) -> RunSummary | None:
    """Generation first, into last_run/: if it fails, the store is untouched."""
    run_dir = dataset / LAST_RUN
    shutil.rmtree(run_dir, ignore_errors=True)
    if not plan.generate:
        return None
    files = sorted(plan.generate)
    summary = generate(root, files, config, run_dir, statuses=dict(plan.generate),
                       progress=progress)
    if (run_dir / SUMMARY).is_file():
        copy_atomic(run_dir / SUMMARY, dataset / SUMMARY)
    return summary


def _store_generated(dataset: Path, plan: BuildPlan, summary: RunSummary | None,
                     current: dict[str, dict[str, Any]], entries: dict[str, dict[str, Any]],
                     result: BuildResult) -> None:
    """Each generated leaf's pairs into the store and its manifest entry; a leaf with
    errors is marked incomplete (the next build retries it)."""
    run_dir = dataset / LAST_RUN
    by_leaf = {leaf.path: leaf for leaf in (summary.leaves if summary else [])}
    for path in sorted(plan.generate):
        leaf = by_leaf.get(path)
        source = run_dir / leaf.data_file if leaf and leaf.data_file else None
        target = data_file_for(path)
        if source is not None and source.is_file():
            pairs, sha = copy_data(source, dataset / target)
        else:
            remove_data(dataset, target)
            pairs, sha = 0, None
        complete = bool(source is not None and source.is_file() and leaf and leaf.errors == 0)
        if not complete:
            result.incomplete.append(path)
        entries[path] = {
            **current[path],
            "kind": leaf.kind if leaf else None,
            "generated": leaf.questions_generated if leaf else 0,
            "data_file": target,
            "pairs": pairs,
            "data_sha256": sha,
            "complete": complete,
            "commit": result.commit,
        }


def _top_up_step(root: Path, dataset: Path, plan: BuildPlan, config: Config,
                 entries: dict[str, dict[str, Any]], generate: GenerateFn,
                 progress: bool) -> TopUpResult:
    """More rounds for the leaves generated now that are below target, and for kept leaves
    whose target was raised since their last top-up (the other kept leaves cost none)."""
    raised = raised_targets(plan.unchanged, entries, config)
    return top_up(root, dataset, sorted([*plan.generate, *raised]), entries, config, generate,
                  dataset / LAST_RUN, progress, continuing=frozenset(raised))


def _assemble_step(root: Path, dataset: Path, config: Config,
                   entries: dict[str, dict[str, Any]], result: BuildResult) -> None:
    """train.jsonl from the store (selection to target, weights), balance.json and the
    dataset card."""
    result.pairs, result.balance = assemble(
        dataset, entries, config.build, config.generate.scale,
        config.generate.near_duplicate_threshold)
    result.report = balance_report(result.balance)
    write_balance(dataset, result.report)
    write_card(dataset, root, result.report, sorted(entries), result.commit)


def _record_digests(dataset: Path, plan: BuildPlan,
                    entries: dict[str, dict[str, Any]]) -> None:
    """Kept leaves from a manifest that predates data hashes get theirs (checked already)."""
    for path in plan.unchanged:
        entry = entries[path]
        if not entry.get("data_sha256"):
            pairs, sha = data_digest(dataset / entry["data_file"])
            entries[path] = {**entry, "pairs": pairs, "data_sha256": sha}


def _store_moved(dataset: Path, plan: BuildPlan, current: dict[str, dict[str, Any]],
                 entries: dict[str, dict[str, Any]]) -> None:
    for new, old in sorted(plan.move.items()):
        pairs, sha = move_data(dataset, old, new, entries[old]["data_file"])
        entries[new] = {**entries[old], **current[new], "data_file": data_file_for(new),
                        "pairs": pairs, "data_sha256": sha}


def _drop_removed(dataset: Path, plan: BuildPlan, entries: dict[str, dict[str, Any]]) -> None:
    """Forget removed leaves and the old paths of moved ones; delete data no entry uses."""
    for old in sorted(set(plan.move.values()) | set(plan.remove)):
        entry = entries.pop(old)
        if not any(e["data_file"] == entry.get("data_file") for e in entries.values()):
            remove_data(dataset, entry.get("data_file", data_file_for(old)))


def _head(root: Path) -> str | None:
    """HEAD's commit, or None outside git or before the first commit."""
    return user_repo_git_text(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}") or None
