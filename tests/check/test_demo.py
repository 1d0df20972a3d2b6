"""`make demo` (examples/demo.py): the scratch PR repo and the check on it (no model here;
the full run with the embedded model is what `make demo` does)."""

import importlib.util
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def load_demo():
    spec = importlib.util.spec_from_file_location("demo", REPO / "examples" / "demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_builds_a_pr_and_runs_the_check(tmp_path, capsys):
    demo = load_demo()
    assert demo.main(["--dest", str(tmp_path / "d"), "--no-generate"]) == 0
    out = capsys.readouterr().out
    assert "demo: sdg-ci check exited with 1 (fail: the pull request adds an invalid leaf" in out
    assert f"demo: summary (markdown): {tmp_path / 'd' / 'out' / 'summary.md'}" in out
    record = json.loads((tmp_path / "d" / "out" / "check.json").read_text())
    changes = {c["path"]: c["status"] for c in record["changes"]}
    assert changes == {
        demo.PLURALS: "modified",
        demo.INVALID: "added",
        demo.KNOWLEDGE_DIR + "/qna.yaml": "added",
    }
    assert [f["path"] for f in record["validation"] if not f["valid"]] == [demo.INVALID]


def test_demo_refuses_a_non_empty_destination(tmp_path, capsys):
    (tmp_path / "x").write_text("")
    assert load_demo().main(["--dest", str(tmp_path)]) == 2
