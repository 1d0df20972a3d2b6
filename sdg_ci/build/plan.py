"""The build plan: which leaves to generate, move, drop or keep (pure: no model call, no
write)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdg_ci.build.manifest import Manifest
from sdg_ci.build.store import data_problem
from sdg_ci.taxonomy.gitdiff import ADDED, MODIFIED, RENAMED, DiffResult


@dataclass
class BuildPlan:
    generate: dict[str, str] = field(default_factory=dict)  # path -> status
    move: dict[str, str] = field(default_factory=dict)  # new -> old
    remove: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    reconciled: list[str] = field(default_factory=list)  # out of date but not in the diff
    damaged: dict[str, str] = field(default_factory=dict)  # path -> why its data is not trusted


def plan_build(dataset: Path, manifest: Manifest, current: dict[str, dict[str, Any]],
               diff: DiffResult | None, full: bool = False) -> BuildPlan:
    """Which leaves to generate, move, drop or keep, from the manifest, the leaves' current
    fingerprints and the diff (`full`: regenerate every leaf)."""
    entries: dict[str, dict] = manifest["leaves"]
    diffed = {c.path: c for c in diff.changed} if diff else {}
    plan = BuildPlan()

    def current_data(entry: dict | None, fp: dict) -> bool:
        return bool(
            entry and entry.get("complete", True) and entry.get("hash") == fp["hash"]
            and (dataset / entry.get("data_file", "")).is_file()
        )

    def reusable(entry: dict | None, fp: dict) -> bool:
        """Up to date, and its data file is the one the manifest describes."""
        return current_data(entry, fp) and data_problem(dataset, entry or {}) is None

    gone = {p: e for p, e in entries.items() if p not in current}
    by_hash: dict[str, str] = {}
    for old, entry in sorted(gone.items()):
        by_hash.setdefault(entry.get("hash", ""), old)

    for path, fp in sorted(current.items()):
        change = diffed.get(path)
        entry = entries.get(path)
        if not full and current_data(entry, fp):
            problem = data_problem(dataset, entry or {})
            if problem is None:
                plan.unchanged.append(path)
                continue
            plan.damaged[path] = problem
        old = change.old_path if change and change.status == RENAMED else None
        if not (old and old in gone and reusable(gone[old], fp)):
            old = by_hash.get(fp["hash"])
        if (not full and old in gone and old not in plan.move.values()
                and reusable(gone[old], fp)):
            plan.move[path] = old
            by_hash.pop(fp["hash"], None)
            continue
        plan.generate[path] = change.status if change else (
            MODIFIED if path in entries else ADDED
        )
        if change is None and path not in plan.damaged:
            plan.reconciled.append(path)
    moved_from = set(plan.move.values())
    plan.remove = sorted(p for p in gone if p not in moved_from)
    return plan
