"""balance.json: rows per leaf against its target, per subtree, and the spread overall.

Why a file of its own: the balance of a dataset is what the LAB method promises and what
no other tool reports; the build's table, its markdown summary and the dataset card all
read it from here.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from sdg_ci.build.assemble import LeafBalance
from sdg_ci.build.store import write_atomic

BALANCE = "balance.json"


def gini(values: list[int]) -> float:
    """0 when every leaf has the same rows, towards 1 when one leaf has them all."""
    xs = sorted(values)
    n, total = len(xs), sum(xs)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * x for i, x in enumerate(xs))
    return (2 * weighted) / (n * total) - (n + 1) / n


def subtrees(leaves: dict[str, LeafBalance]) -> dict[str, dict[str, dict[str, float]]]:
    """Per depth (1 = the top folders), each subtree's rows and share of train.jsonl; a
    leaf shallower than a depth stands for itself there, so every depth adds up."""
    total = sum(b.rows for b in leaves.values())
    out: dict[str, dict[str, dict[str, float]]] = {}
    deepest = max([len(PurePosixPath(p).parts) - 1 for p in leaves] + [1])
    for path, b in leaves.items():
        parts = PurePosixPath(path).parts
        for depth in range(1, deepest + 1):
            prefix = "/".join(parts[:depth])
            node = out.setdefault(str(depth), {}).setdefault(prefix, {"rows": 0, "share": 0.0})
            node["rows"] += b.rows
    for level in out.values():
        for node in level.values():
            node["share"] = round(node["rows"] / total, 4) if total else 0.0
    return {d: dict(sorted(level.items())) for d, level in sorted(out.items(),
                                                                 key=lambda i: int(i[0]))}


def stats(leaves: dict[str, LeafBalance]) -> dict[str, Any]:
    """The spread of rows over the leaves that have any, and over those that met target."""
    rows = [b.rows for b in leaves.values() if b.rows > 0]
    met = [b.rows for b in leaves.values() if b.rows > 0 and b.short_by == 0]
    total = sum(rows)
    return {
        "leaves": len(leaves),
        "rows": total,
        "short_leaves": sum(1 for b in leaves.values() if b.short_by > 0),
        "max_min_spread": round(max(rows) / min(rows), 4) if rows else None,
        "max_min_spread_not_short": round(max(met) / min(met), 4) if met else None,
        "gini": round(gini(rows), 4),
        "largest_share": round(max(rows) / total, 4) if total else 0.0,
    }


def balance_report(leaves: dict[str, LeafBalance]) -> dict[str, Any]:
    return {
        "leaves": {path: b.to_json() for path, b in sorted(leaves.items())},
        "subtrees": subtrees(leaves),
        "stats": stats(leaves),
    }


def write_balance(dataset: Path, report: dict[str, Any]) -> None:
    write_atomic(dataset / BALANCE, lambda out: out.write(json.dumps(report, indent=2) + "\n"))
