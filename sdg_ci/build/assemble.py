"""Assembly: train.jsonl from the store, each leaf's rows selected to its weighted target.

Why assembly reads only the store: a changed target or weight re-selects rows that are
already generated, so it costs no model call; a leaf's unselected rows stay in its store.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from sdg_ci.build.select import select
from sdg_ci.build.store import TRAIN, write_atomic
from sdg_ci.config import BuildSettings
from sdg_ci.taxonomy.leaf import taxonomy_path


@dataclass
class LeafBalance:
    """One leaf's line of balance.json."""

    rows: int  # rows in train.jsonl
    target: int  # rows it aims for in train.jsonl (its target times its weight)
    short_by: int  # target - rows when short, else 0
    generated: int  # questions written for it, over every round of its last generation
    kept: int  # rows in its store (passed every critic)
    selected: int  # rows chosen at its unweighted target
    reason: str  # why it is short (and what would help), or why it has no rows
    weight: float = 1.0
    rounds: int = 0  # top-up rounds its last generation took

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def read_records(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _reason(entry: dict[str, Any], rows: int, wanted: int, kept: int) -> str:
    if entry.get("invalid"):
        return "invalid: " + "; ".join(entry.get("diagnostics") or ["see the validation report"])
    if not entry.get("complete", True):
        return "its generation had errors; the next build retries it"
    if rows >= wanted:
        return ""
    if entry.get("short_reason"):
        return str(entry["short_reason"])
    return (f"{kept} rows in its store, fewer than its target now asks for: edit the leaf "
            "or rebuild with --full to generate it anew")


def assemble(dataset: Path, entries: dict[str, dict[str, Any]], settings: BuildSettings,
             scale: str, threshold: float) -> tuple[int, dict[str, LeafBalance]]:
    """Write train.jsonl (leaf path order, each leaf's selection in store order); return
    the pair count and each leaf's balance line, keyed by leaf folder path."""
    balance: dict[str, LeafBalance] = {}
    chosen: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(entries):
        entry = entries[path]
        leaf = taxonomy_path(path)
        target, weight = settings.target_for(leaf, scale), settings.weight_for(leaf)
        wanted = round(target * weight)
        records = [] if entry.get("invalid") else read_records(dataset / entry["data_file"])
        picked = select(records, max(target, wanted), threshold)
        rows = sorted(picked[:wanted])
        chosen[path] = [records[i] for i in rows]
        short = len(rows) < wanted
        balance[leaf] = LeafBalance(
            rows=len(rows), target=wanted, short_by=wanted - len(rows) if short else 0,
            generated=int(entry.get("generated", 0) or 0), kept=len(records),
            selected=min(len(picked), target),
            reason=_reason(entry, len(rows), wanted, len(records)) if short else "",
            weight=weight, rounds=int(entry.get("rounds", 0) or 0),
        )
    count = 0

    def write(out: TextIO) -> None:
        nonlocal count
        for path in sorted(chosen):
            for record in chosen[path]:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1

    write_atomic(dataset / TRAIN, write)
    return count, balance
