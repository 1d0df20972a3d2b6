"""Helpers for the diff tests: leaf texts and a scratch git repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

SKILL = """version: 2
task_description: {desc}
created_by: tester
seed_examples:
  - question: What is {desc}?
    answer: It is {desc}.
"""

KNOWLEDGE = """version: 3
domain: science
created_by: tester
seed_examples:
  - context: {desc} is a topic.
    questions_and_answers:
      - question: What is {desc}?
        answer: A topic.
document_outline: {desc}
document:
  repo: {repo}
  commit: {commit}
  patterns:
{patterns}
"""


def skill(desc: str = "a skill") -> str:
    return SKILL.format(desc=desc)


def knowledge(desc="physics", repo="https://example.com/docs", commit="abc123",
              patterns=("*.md",)) -> str:
    pats = "\n".join(f"    - '{p}'" for p in patterns)
    return KNOWLEDGE.format(desc=desc, repo=repo, commit=commit, patterns=pats)


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
