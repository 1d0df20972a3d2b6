import os
import sys
from pathlib import Path

import pytest

# the GitHub API stand-in lives with the publishing tests
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "report"))


@pytest.fixture(autouse=True)
def _no_github_env(monkeypatch):
    """Tests set the GitHub variables they need; nothing leaks in from the host."""
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "RUNNER_", "SDG_CI_", "INPUT_")) or name == "CI":
            monkeypatch.delenv(name, raising=False)
