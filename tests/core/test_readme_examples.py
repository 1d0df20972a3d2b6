"""The README's example summary is what `examples/readme_examples.py` writes from a fresh
run (numbers masked: wall times differ from run to run)."""

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "examples"))

import readme_examples  # noqa: E402


def test_the_readme_example_matches_a_fresh_run(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    fresh = readme_examples.block(readme_examples.run_example(tmp_path), embedded=False)
    current = re.search(re.escape(readme_examples.BEGIN) + ".*?"
                        + re.escape(readme_examples.END), readme, re.S).group(0)
    assert readme_examples.shape(fresh) == readme_examples.shape(current), (
        "README example is stale: run .venv/bin/python examples/readme_examples.py")
    assert "<demo>" in fresh and str(tmp_path) not in fresh  # no scratch paths
