"""The store: each leaf's kept pairs under `leaves/`, and train.jsonl concatenating them.

Every file is written whole to a temporary name in the same folder and then renamed, so a
crash leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from sdg_ci.errors import SdgCiError
from sdg_ci.taxonomy.leaf import taxonomy_path

TRAIN = "train.jsonl"
STORE = "leaves"
PAIRS = "pairs.jsonl"


def data_file_for(rel: str) -> str:
    """`knowledge/a/b/qna.yaml` -> `leaves/knowledge/a/b/pairs.jsonl`."""
    return f"{STORE}/{taxonomy_path(rel)}/{PAIRS}"


def write_atomic(path: Path, write: Callable[[TextIO], None]) -> None:
    """Write `path` through `write(file)`: a temporary file, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        write(out)
    os.replace(tmp, path)


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


def copy_data(source: Path, target: Path) -> int:
    """A generated leaf's pairs into the store; returns the pair count."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
    return count_lines(target)


def move_data(dataset: Path, old: str, new: str, old_file: str) -> int:
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
    write_atomic(
        dataset / data_file_for(new),
        lambda out: out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
    )
    return len(records)


def write_train(dataset: Path, entries: dict[str, dict[str, Any]]) -> int:
    """train.jsonl: every leaf's kept pairs, in leaf path order; returns the pair count."""
    count = 0

    def write(out: TextIO) -> None:
        nonlocal count
        for path in sorted(entries):
            data = dataset / entries[path]["data_file"]
            if not data.is_file():
                continue
            with open(data, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        out.write(line if line.endswith("\n") else line + "\n")
                        count += 1

    write_atomic(dataset / TRAIN, write)
    return count


@contextlib.contextmanager
def locked(dataset: Path) -> Iterator[None]:
    """One build at a time per dataset folder (released even if the process dies)."""
    dataset.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(dataset / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise SdgCiError(f"{dataset}: another sdg-ci build is running on it") from None
        yield
