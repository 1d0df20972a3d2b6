"""Writing a leaf's rows: kept pairs as chat-messages JSONL, rejected rows with reasons.

Why atomic writes in a fixed order: a reader (the PR summary, a dataset build) never sees
half a file, and two runs over the same cache produce byte-identical files.
"""

from __future__ import annotations

import json
from pathlib import Path

from sdg_ci.generate.ledger.ledger import LeafLedger
from sdg_ci.generate.ledger.rows import Failure, Row
from sdg_ci.outdir import write_text_atomic

PAIRS_FILE = "pairs.jsonl"
REJECTED_FILE = "rejected.jsonl"


def metadata(ledger: LeafLedger, row: Row | None, models: dict[str, str]) -> dict:
    meta = {"leaf": ledger.leaf.taxonomy_path, "leaf_file": ledger.path,
            "kind": ledger.leaf.kind.value}
    if row is not None:
        meta.update({
            "row_id": row.row_id, "seed_index": row.seed_index,
            "context_index": row.context_index, "chunk_id": row.chunk_id,
            "chunk_source": row.chunk_source, "chunk_heading": row.chunk_heading,
            "scores": row.scores,
        })
    meta["models"] = models
    return meta


def user_text(row: Row) -> str:
    """Grounded skills train on the context with the question; others on the question."""
    return f"{row.context}\n\n{row.question}" if row.context else row.question


def pair_record(ledger: LeafLedger, row: Row, models: dict[str, str]) -> dict:
    return {
        "messages": [
            {"role": "user", "content": user_text(row)},
            {"role": "assistant", "content": row.answer or ""},
        ],
        "metadata": metadata(ledger, row, models),
    }


def rejected_record(ledger: LeafLedger, row: Row, models: dict[str, str]) -> dict:
    return {
        "stage": row.stage, "reason_class": row.reason_class, "reason": row.reason,
        "question": row.question, "answer": row.answer, "context": row.context,
        "raw": row.raw, "metadata": metadata(ledger, row, models),
    }


def failure_record(ledger: LeafLedger, failure: Failure, models: dict[str, str]) -> dict:
    meta = metadata(ledger, None, models)
    meta.update({"seed_index": failure.seed_index, "chunk_id": failure.chunk_id})
    return {
        "stage": failure.stage, "reason_class": failure.reason_class, "reason": failure.reason,
        "lost_rows": failure.lost, "where": failure.label, "raw": failure.raw, "metadata": meta,
    }


def write_jsonl(path: Path, records: list[dict]) -> None:
    write_text_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def write_leaf(ledger: LeafLedger, out_dir: Path, models: dict[str, str]) -> tuple[str, str]:
    """Write pairs.jsonl and rejected.jsonl under out_dir/<taxonomy path>/."""
    folder = Path(ledger.leaf.taxonomy_path)
    rows = sorted(ledger.rows, key=lambda r: r.order)
    write_jsonl(out_dir / folder / PAIRS_FILE,
                [pair_record(ledger, r, models) for r in rows if r.status == "kept"])
    rejected = [rejected_record(ledger, r, models) for r in rows if r.status == "rejected"]
    rejected += [failure_record(ledger, f, models) for f in
                 sorted(ledger.failures, key=lambda f: (f.stage, f.label))]
    write_jsonl(out_dir / folder / REJECTED_FILE, rejected)
    return (folder / PAIRS_FILE).as_posix(), (folder / REJECTED_FILE).as_posix()
