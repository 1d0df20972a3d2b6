"""Scratch git taxonomies for the build tests (a git identity, no GitHub variables)."""

from __future__ import annotations

import os

import pytest
from build_helpers import Repo, knowledge, skill


@pytest.fixture(autouse=True)
def git_env(monkeypatch, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text("")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{key}_NAME", "Tester")
        monkeypatch.setenv(f"GIT_{key}_EMAIL", "tester@example.com")
    for name in list(os.environ):
        if name.startswith("GITHUB_") or name in ("CI", "GIT_DIR", "GIT_INDEX_FILE"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def taxonomy(tmp_path):
    """main with four leaves (one knowledge leaf with an attribution)."""
    repo = Repo(tmp_path / "taxonomy")
    repo.git("init", "-q", "-b", "main")
    repo.write("compositional_skills/writing/poems/qna.yaml", skill("Write a poem?", "A haiku?"))
    repo.write("compositional_skills/writing/prose/qna.yaml", skill("Write prose?"))
    repo.write("compositional_skills/math/qna.yaml", skill("Add 2 and 2?", "Add 3 and 4?"))
    repo.write("knowledge/science/physics/qna.yaml", knowledge("abc123", "What is mass?"))
    repo.write("knowledge/science/physics/attribution.txt", "Title: physics\n")
    repo.commit("initial")
    return repo
