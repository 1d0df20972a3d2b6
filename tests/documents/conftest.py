"""Fixtures for the knowledge-document tests: git identity, local repos, roots, caches.

No test here touches the network: document repos are local folders or mirrors of them.
Helpers that tests import live in `docs_helpers.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_helpers import GIT_ENV, DocRepo


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch):
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def doc_repo(tmp_path) -> DocRepo:
    return DocRepo(tmp_path / "docs-src")


@pytest.fixture
def taxonomy_root(tmp_path) -> Path:
    root = tmp_path / "taxonomy"
    (root / "knowledge" / "demo").mkdir(parents=True)
    return root


@pytest.fixture
def cache_dir(tmp_path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def no_blob_reads(monkeypatch):
    """Fail the test if any file content is read from git (`cat-file blob`): limits that
    git's tree metadata can answer must be checked before reading."""
    from sdg_ci import gitcmd

    real = gitcmd.run_git

    def guarded(args, **kwargs):
        assert args[:2] != ["cat-file", "blob"], f"a file was read: git {' '.join(args)}"
        return real(args, **kwargs)

    monkeypatch.setattr(gitcmd, "run_git", guarded)
