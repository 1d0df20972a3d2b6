"""Real temporary git repositories for the diff tests."""

from __future__ import annotations

import os

import pytest
from diff_helpers import Repo, knowledge, skill


@pytest.fixture(autouse=True)
def git_env(monkeypatch, tmp_path_factory):
    """A git identity, no user or system git config, no GitHub Actions variables."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text("")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{key}_NAME", "Tester")
        monkeypatch.setenv(f"GIT_{key}_EMAIL", "tester@example.com")
    for name in list(os.environ):
        if name.startswith("GITHUB_") or name in ("CI", "GIT_DIR", "GIT_INDEX_FILE",
                                                  "GIT_WORK_TREE"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make_repo(tmp_path):
    def make(subdir: str = "", name: str = "repo") -> Repo:
        top = tmp_path / name
        top.mkdir()
        repo = Repo(top, subdir)
        repo.git("init", "-q", "-b", "main")
        return repo

    return make


@pytest.fixture
def base_repo(make_repo):
    """main with three leaves (one knowledge with attribution), then a `pr` branch."""
    repo = make_repo()
    repo.write("compositional_skills/writing/poems/qna.yaml", skill("poems"))
    repo.write("compositional_skills/writing/prose/qna.yaml", skill("prose"))
    repo.write("knowledge/science/physics/qna.yaml", knowledge())
    repo.write("knowledge/science/physics/attribution.txt", "Title: physics\n")
    repo.write("README.md", "taxonomy\n")
    repo.commit("initial taxonomy")
    repo.git("checkout", "-q", "-b", "pr")
    return repo
