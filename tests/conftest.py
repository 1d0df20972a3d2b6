"""Shared test helpers: `tests/support` is importable, and its fixtures are available.

`openai_server`: a local OpenAI-compatible server (tests/support/openai_server.py).
`git_env`: an isolated git identity and environment (tests/support/gitrepo.py).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "support"))

from gitrepo import git_env  # noqa: E402,F401  (a fixture)
from openai_server import openai_server  # noqa: E402,F401  (a fixture)
