"""Selection above target: which of a leaf's stored rows go into train.jsonl.

Why rating first, then diversity: the best-rated rows are the most useful, but a leaf's
best rows are often rewordings of each other; taking them greedily while skipping any row
too close to one already taken spreads the leaf's rows over its topic. Near-duplicates
come in only when nothing else is left. Never random (the same store gives the same
selection) and never a repeat (an exact repeat is never taken twice).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sdg_ci.generate.ledger.dedup import normalize, shingles, similarity


def rating(record: dict[str, Any]) -> float:
    """The critic's 1-3 rating of a stored row (0 when it has none)."""
    scores = (record.get("metadata") or {}).get("scores") or {}
    best = 0.0
    if isinstance(scores, dict):
        for value in scores.values():
            if isinstance(value, dict) and isinstance(value.get("rating"), int | float):
                best = max(best, float(value["rating"]))
    return best


def _question(record: dict[str, Any]) -> str:
    for message in record.get("messages") or []:
        if isinstance(message, dict) and message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


def _identity(record: dict[str, Any]) -> str:
    """What makes two rows the same row: the conversation, not the metadata."""
    return json.dumps(record.get("messages"), sort_keys=True, ensure_ascii=False)


def select(records: Sequence[dict[str, Any]], wanted: int, threshold: float) -> list[int]:
    """Indices of at most `wanted` rows, best rating first, no near-duplicates while other
    rows remain, no exact repeat ever; ties keep store order."""
    order = sorted(range(len(records)), key=lambda i: (-rating(records[i]), i))
    chosen: list[int] = []
    deferred: list[int] = []
    seen: set[str] = set()
    taken: list[frozenset[str]] = []
    for i in order:
        if len(chosen) >= wanted:
            break
        identity = _identity(records[i])
        if identity in seen:
            continue
        sh = shingles(normalize(_question(records[i])))
        if any(similarity(sh, other) >= threshold for other in taken):
            deferred.append(i)
            continue
        seen.add(identity)
        taken.append(sh)
        chosen.append(i)
    for i in deferred:  # near-duplicates, only when nothing else is left (still no repeat)
        if len(chosen) >= wanted:
            break
        identity = _identity(records[i])
        if identity not in seen:
            seen.add(identity)
            chosen.append(i)
    return chosen
