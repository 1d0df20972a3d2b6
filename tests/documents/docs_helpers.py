"""Helpers for the knowledge-document tests (a uniquely named module, so it never clashes
with other folders' conftest or helper modules)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sdg_ci.config import DocumentSettings
from sdg_ci.taxonomy.leaf import Leaf

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_AUTHOR_DATE": "1700000000 +0000",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.invalid",
    "GIT_COMMITTER_DATE": "1700000000 +0000",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, check=True)
    return proc.stdout.decode().strip()


class DocRepo:
    """A working git repo for documents; `commit()` records the current files."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True)
        git(path, "init", "-q", "-b", "main")

    def write(self, rel: str, content: str | bytes) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)
        return target

    def symlink(self, rel: str, points_to: str) -> None:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(points_to)

    def commit(self, message: str = "docs") -> str:
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "--allow-empty", "-m", message)
        return git(self.path, "rev-parse", "HEAD")


def make_leaf(root: Path, repo: str, commit: str, patterns: list[str]) -> Leaf:
    data = {
        "version": 3,
        "domain": "demo",
        "created_by": "tests",
        "document": {"repo": repo, "commit": commit, "patterns": patterns},
    }
    return Leaf(root=root, rel_path="knowledge/demo/qna.yaml", data=data)


def settings(**kwargs) -> DocumentSettings:
    return DocumentSettings(**kwargs)


SECTION = (
    "This paragraph explains one idea in plain words so that the chunker has something "
    "to measure. It has a few sentences of ordinary prose, with numbers such as 42 and "
    "names such as Git, and it ends with a full stop."
)


def markdown_doc(sections: int = 6, paragraphs: int = 4, title: str = "Guide") -> str:
    parts = [f"# {title}", "", SECTION, ""]
    for s in range(1, sections + 1):
        parts += [f"## Part {s}", ""]
        for p in range(paragraphs):
            parts += [f"Part {s} paragraph {p}. {SECTION}", ""]
    return "\n".join(parts)
