"""Scratch git repositories for tests: an isolated git identity and a small Repo helper."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def git_env(monkeypatch, tmp_path_factory):
    """A git identity, no user or system git config, no CI or GitHub Actions variables."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text("")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{key}_NAME", "Tester")
        monkeypatch.setenv(f"GIT_{key}_EMAIL", "tester@example.com")
    for name in list(os.environ):
        if name.startswith("GITHUB_") or name in (
            "CI", "GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE",
        ):
            monkeypatch.delenv(name, raising=False)


class Repo:
    """A scratch git repository; `root` is the taxonomy root (maybe a subfolder)."""

    def __init__(self, top: Path, subdir: str = ""):
        self.top = top
        self.root = top / subdir if subdir else top
        self.root.mkdir(parents=True, exist_ok=True)

    def git(self, *args: str, cwd: Path | None = None) -> str:
        done = subprocess.run(
            ["git", *args], cwd=cwd or self.top, check=True, capture_output=True, text=True
        )
        return done.stdout.strip()

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def move(self, old: str, new: str) -> None:
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        (self.root / old).rename(self.root / new)

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def sha(self, ref: str = "HEAD") -> str:
        return self.git("rev-parse", ref)
