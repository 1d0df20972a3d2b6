"""The response cache: every finished model call, stored by a content hash, in SQLite (WAL).

Why: a crash, a Ctrl-C or a re-run of the same pull request must not pay for a call twice.
A row is committed as soon as its reply arrives, so a killed run loses at most the calls
that were in flight. WAL lets several runs (pytest workers, CI jobs) share one file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL)"
)


def cache_key(kind: str, model: str, messages: list[dict], params: dict) -> str:
    """sha256 over endpoint kind, model, messages and sampling parameters (seed included)."""
    blob = json.dumps(
        {"kind": kind, "model": model, "messages": messages, "params": params},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """A tiny key -> JSON store; every write is committed at once (autocommit)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), isolation_level=None, timeout=30.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.execute(SCHEMA)

    def get(self, key: str) -> dict | None:
        row = self._db.execute("SELECT value FROM replies WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, value: dict) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO replies (key, value, created) VALUES (?, ?, ?)",
            (key, json.dumps(value, ensure_ascii=False), time.time()),
        )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM replies").fetchone()[0]

    def close(self) -> None:
        self._db.close()
