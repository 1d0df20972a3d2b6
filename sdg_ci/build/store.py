"""The store: each leaf's kept pairs under `leaves/`, and train.jsonl concatenating them.

Every file is written whole to a temporary file of its own (`sdg_ci.outdir.replacing`: a
unique name in the same folder) and then renamed over the target, so a crash leaves either
the old file or the new one, never half of one. The manifest records each data file's pair
count and sha256, and a build checks them before it reuses a leaf's data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from sdg_ci.outdir import replacing, run_lock
from sdg_ci.taxonomy.leaf import taxonomy_path

TRAIN = "train.jsonl"
STORE = "leaves"
PAIRS = "pairs.jsonl"


def data_file_for(rel: str) -> str:
    """`knowledge/a/b/qna.yaml` -> `leaves/knowledge/a/b/pairs.jsonl`."""
    return f"{STORE}/{taxonomy_path(rel)}/{PAIRS}"


def write_atomic(path: Path, write: Callable[[TextIO], None]) -> None:
    """Write `path` through `write(file)`: a temporary file, then a rename."""
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8") as out:
        write(out)


def copy_atomic(source: Path, target: Path) -> None:
    """Copy `source` over `target` the same way: never a half-written target."""
    with replacing(target) as tmp:
        shutil.copyfile(source, tmp)


def remove_data(dataset: Path, data_file: str) -> None:
    """Delete a leaf's data file and the folders it leaves empty (up to the store)."""
    path = dataset / data_file
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    store = (dataset / STORE).resolve()
    folder = path.parent.resolve()
    while folder != store and store in folder.parents:
        try:
            folder.rmdir()  # only when empty: a parent leaf's data may live here too
        except OSError:
            break
        folder = folder.parent


def count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def data_digest(path: Path) -> tuple[int, str]:
    """(pairs, sha256) of a data file: what the manifest records, and checks on reuse."""
    h = hashlib.sha256()
    pairs = 0
    with open(path, "rb") as f:
        for line in f:
            h.update(line)
            if line.strip():
                pairs += 1
    return pairs, h.hexdigest()


def data_problem(dataset: Path, entry: dict[str, Any]) -> str | None:
    """Why an existing data file does not match its manifest entry, or None when it does
    (or when the entry predates recorded hashes and the count matches)."""
    path = dataset / entry.get("data_file", "")
    try:
        pairs, sha = data_digest(path)
    except OSError as exc:
        return f"cannot read it: {exc}"
    recorded = entry.get("pairs")
    if isinstance(recorded, int) and pairs != recorded:
        return f"{pairs} pairs where the manifest records {recorded}"
    if entry.get("data_sha256") and sha != entry["data_sha256"]:
        return "its sha256 is not the one the manifest records"
    return None


def copy_data(source: Path, target: Path) -> tuple[int, str]:
    """A generated leaf's pairs into the store; returns (pairs, sha256)."""
    copy_atomic(source, target)
    return data_digest(target)


def move_data(dataset: Path, old: str, new: str, old_file: str) -> tuple[int, str]:
    """Move a renamed leaf's pairs, pointing their metadata at the new path."""
    records: list[dict[str, Any]] = []
    with open(dataset / old_file, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            meta = record.get("metadata")
            if isinstance(meta, dict):
                if meta.get("leaf_file") == old:
                    meta["leaf_file"] = new
                if meta.get("leaf") == taxonomy_path(old):
                    meta["leaf"] = taxonomy_path(new)
            records.append(record)
    target = dataset / data_file_for(new)
    write_atomic(
        target,
        lambda out: out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
    )
    return data_digest(target)


def locked(dataset: Path) -> contextlib.AbstractContextManager[None]:
    """One run at a time per dataset folder (released even if the process dies)."""
    return run_lock(dataset, "build")
