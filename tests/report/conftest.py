import os

import pytest
from fake_github import FakeGitHub


@pytest.fixture(autouse=True)
def _no_github_env(monkeypatch):
    """Tests set the GitHub variables they need; nothing leaks in from the host."""
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "RUNNER_", "SDG_CI_")) or name in ("CI", "INPUT_"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_github():
    fake = FakeGitHub().start()
    yield fake
    fake.stop()
