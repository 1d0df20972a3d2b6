"""Real temporary git repositories for the diff tests."""

from __future__ import annotations

import pytest
from diff_helpers import knowledge, skill
from gitrepo import Repo


@pytest.fixture(autouse=True)
def _isolated_git(git_env):
    """Every test here runs git with a test identity and no CI variables."""


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
