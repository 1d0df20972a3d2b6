"""Scratch git taxonomies for the build tests (a git identity, no GitHub variables)."""

from __future__ import annotations

import pytest
from build_helpers import LENIENT_YAML, knowledge, skill
from gitrepo import Repo


@pytest.fixture(autouse=True)
def _isolated_git(git_env):
    """Every test here runs git with a test identity and no CI variables."""


@pytest.fixture
def taxonomy(tmp_path):
    """main with four leaves (one knowledge leaf with an attribution)."""
    repo = Repo(tmp_path / "taxonomy")
    repo.git("init", "-q", "-b", "main")
    repo.write(".sdg-ci.yaml", LENIENT_YAML)
    repo.write("compositional_skills/writing/poems/qna.yaml", skill("Write a poem?", "A haiku?"))
    repo.write("compositional_skills/writing/prose/qna.yaml", skill("Write prose?"))
    repo.write("compositional_skills/math/qna.yaml", skill("Add 2 and 2?", "Add 3 and 4?"))
    repo.write("knowledge/science/physics/qna.yaml", knowledge("abc123", "What is mass?"))
    repo.write("knowledge/science/physics/attribution.txt", "Title: physics\n")
    repo.commit("initial")
    return repo
