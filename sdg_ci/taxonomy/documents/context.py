"""The error a leaf's documents raise, and the context every message starts with."""

from __future__ import annotations

from dataclasses import dataclass

from sdg_ci.errors import SdgCiError


class DocumentError(SdgCiError):
    """A leaf's documents cannot be fetched, read or converted; the message says which."""

    def __init__(self, message: str, *, leaf: str = "", repo: str = "", commit: str = "",
                 file: str = "", pattern: str = ""):
        super().__init__(message)
        self.leaf, self.repo, self.commit = leaf, repo, commit
        self.file, self.pattern = file, pattern


@dataclass
class DocContext:
    """Which leaf, repository and commit a message is about (`leaf: document R at C: ...`)."""

    leaf: str
    repo: str
    commit: str

    @property
    def prefix(self) -> str:
        where = f"document {self.repo}" if self.repo else "document"
        if self.commit:
            where += f" at {self.commit[:12]}"
        return f"{self.leaf}: {where}" if self.leaf else where

    def error(self, detail: str, *, file: str = "", pattern: str = "") -> DocumentError:
        return DocumentError(f"{self.prefix}: {detail}", leaf=self.leaf, repo=self.repo,
                             commit=self.commit, file=file, pattern=pattern)
