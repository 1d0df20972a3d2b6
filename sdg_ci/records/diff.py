"""The diff record: one changed leaf, as the diff finds it and the check reports it.

It lives here, below the taxonomy code that computes it, so the check record can hold it
without importing the diff machinery.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LeafChange:
    """One changed leaf (or misnamed file), its path relative to the taxonomy root."""

    path: str
    status: str  # added | modified | renamed | deleted
    old_path: str | None = None
    reasons: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "status": self.status,
            "old_path": self.old_path,
            "reasons": list(self.reasons),
        }
