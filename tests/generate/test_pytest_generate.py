"""`pytest --sdg-taxonomy . --sdg-generate`: one item per leaf and quality gate, through
pytester, against the local OpenAI-compatible test server."""

from __future__ import annotations

import pytest
import yaml
from gen_taxonomy import FREEFORM, GROUNDED, make_config, make_taxonomy

pytest_plugins = ["pytester"]


@pytest.fixture
def project(pytester: pytest.Pytester, openai_server) -> pytest.Pytester:
    root = pytester.path / "taxonomy"
    make_taxonomy(root, knowledge=False)
    data = make_config(openai_server.url, pytester.path / "model-cache").model_dump(
        mode="json")["generate"]
    data.pop("critic")
    gates = {"default": {"min_kept_pairs": 1},
             "subtrees": {"compositional_skills/extraction": {"min_kept_pairs": 500}}}
    (root / ".sdg-ci.yaml").write_text(yaml.safe_dump({"generate": data, "gates": gates}))
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    pytester.server = openai_server
    return pytester


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest("-W", "ignore::pytest.PytestAssertRewriteWarning",
                             "-p", "no:randomly", *args)


def test_one_item_per_leaf_and_gate_failing_with_the_number_and_threshold(project):
    result = run(project, "--sdg-taxonomy", "taxonomy", "--sdg-generate", "-k", "gate",
                 "-v", "-rs")
    out = result.stdout.str()
    outcome = {}
    for line in out.splitlines():  # "taxonomy/<leaf dir>/qna::yaml::gate[NAME] PASSED [ 12%]"
        if "::gate[" in line and line.startswith("taxonomy/"):
            where, _, rest = line.partition("::yaml::")
            outcome[(where.removeprefix("taxonomy/") + ".yaml", rest.split()[0])] = \
                rest.split()[1]
    assert outcome[(FREEFORM, "gate[min_kept_pairs]")] == "PASSED"
    assert outcome[(FREEFORM, "gate[min_mean_rating]")] == "PASSED"
    assert outcome[(GROUNDED, "gate[min_kept_pairs]")] == "FAILED"
    assert len(outcome) == 8
    assert "pairs kept; at least 500 required (min_kept_pairs)" in out
    assert "threshold ≥ 500" in out
    assert "min_faithfulness_rate" not in out  # knowledge only
    assert "::schema" not in out  # -k selects the gate items only


def test_same_cache_as_check_x_and_last_failed_work(project):
    first = run(project, "--sdg-taxonomy", "taxonomy", "--sdg-generate", "-k", "gate")
    first.assert_outcomes(passed=7, failed=1)
    calls = len(project.server.requests)
    assert calls > 0
    # -x stops at the first failure; --lf runs only what failed, from the response cache
    stopped = run(project, "--sdg-taxonomy", "taxonomy", "--sdg-generate", "-k", "gate",
                  "-x", "--lf")
    stopped.assert_outcomes(failed=1)
    assert len(project.server.requests) == calls  # every model call replayed from the cache
    assert (project.path / "model-cache").is_dir()


def test_without_the_flag_nothing_is_generated(project):
    result = run(project, "--sdg-taxonomy", "taxonomy", "-k", "gate")
    result.assert_outcomes()
    assert len(project.server.requests) == 0
