"""Fixtures for the HTML report tests: a real run's output folder with hostile text in a
seed and in every model answer, and the system's Chromium (skipped when there is none)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "generate")]

from chromium_driver import find_chromium  # noqa: E402
from gen_taxonomy import FREEFORM, make_config, make_taxonomy  # noqa: E402
from hostile_text import HOSTILE_ANSWER, HOSTILE_SEED  # noqa: E402
from openai_server import FakeOpenAI, default_reply  # noqa: E402

from sdg_ci.cli import main  # noqa: E402


def hostile_answers(stage: str, body: dict, choice: int) -> str | None:
    if stage == "answers":
        return default_reply(stage, body, choice) + " " + HOSTILE_ANSWER
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip("no Chromium on this machine (`make install` installs Debian's chromium "
                    "when run as root; or set SDG_CI_CHROMIUM)")
    return path


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> tuple[Path, Path]:
    """(taxonomy root, output folder) of `sdg-ci generate` over one leaf of each kind."""
    base = tmp_path_factory.mktemp("html-report")
    root = base / "tax"
    make_taxonomy(root, knowledge=True)
    leaf = yaml.safe_load((root / FREEFORM).read_text())
    leaf["seed_examples"][0]["question"] = HOSTILE_SEED
    leaf["seed_examples"][1]["answer"] = HOSTILE_ANSWER
    (root / FREEFORM).write_text(yaml.safe_dump(leaf, sort_keys=False))
    out = base / "out"
    with FakeOpenAI(responder=hostile_answers) as server:
        config = make_config(server.url, base / "cache").model_dump(mode="json")
        (root / ".sdg-ci.yaml").write_text(yaml.safe_dump(config))
        code = main(["-C", str(root), "generate", str(root), "--out", str(out),
                     "--no-progress"])
    assert code == 0
    return root, out
