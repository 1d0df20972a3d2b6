"""The pytest plugin, through pytester: inert by default; leaves as `::schema`/`::lint` items."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "validate" / "taxonomy"
LEAVES = {
    "compositional_skills/valid/freeform": "compositional_skills/units/conversion",
    "compositional_skills/cases/trailing_spaces": "compositional_skills/units/spaces",
    "knowledge/cases/two_qas": "knowledge/tides/short",
    "knowledge/cases/commit_branch": "knowledge/tides/branch",
}
SCHEMA_FAILURE = (
    "knowledge/tides/short/qna.yaml:10:7: Q105 seed_examples[0].questions_and_answers has 2 "
    "items; at least 3 are required [.seed_examples[0].questions_and_answers]"
)
LINT_FAILURE = (
    "compositional_skills/units/spaces/qna.yaml:6:51: Q200 trailing spaces (trailing-spaces)"
)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    for source, target in LEAVES.items():
        shutil.copytree(FIXTURES / source, pytester.path / "taxonomy" / target)
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    return pytester


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    # In process, sdg_ci is already imported by earlier tests, so pytest warns that it
    # cannot rewrite its asserts; that warning is about the test harness, not the plugin.
    return project.runpytest("-W", "ignore::pytest.PytestAssertRewriteWarning", *args)


def nodeids(result: pytest.RunResult) -> list[str]:
    return sorted(line for line in result.outlines if "::" in line and " " not in line)


def test_inert_without_the_option(project):
    result = run(project, "-q", "--co")
    assert nodeids(result) == ["test_plain.py::test_plain"]
    run(project, "-q").assert_outcomes(passed=1)


def test_each_leaf_is_a_schema_and_a_lint_item(project):
    result = run(project, "-q", "--co", "--sdg-taxonomy", "taxonomy")
    assert nodeids(result) == sorted(
        [
            "test_plain.py::test_plain",
            *(f"taxonomy/{t}/qna.yaml::{n}" for t in LEAVES.values() for n in ("schema", "lint")),
        ]
    )


def test_failures_show_the_diagnostics(project):
    result = run(project, "--sdg-taxonomy", "taxonomy", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=7, failed=2, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*_ qna.yaml::lint _*",
            LINT_FAILURE,
            "*_ qna.yaml::schema _*",
            SCHEMA_FAILURE,
            "*SdgCiWarning: knowledge/tides/branch/qna.yaml:58:11: Q302 document.commit 'main'*",
            "FAILED taxonomy/compositional_skills/units/spaces/qna.yaml::lint - *",
            "FAILED taxonomy/knowledge/tides/short/qna.yaml::schema - *",
        ],
        consecutive=False,
    )
    assert "Traceback" not in result.stdout.str()


def test_keyword_selection(project):
    result = run(project, "-q", "--sdg-taxonomy", "taxonomy", "-k", "lint and tides")
    result.assert_outcomes(passed=2, deselected=7)


def test_exitfirst(project):
    result = run(project, "-q", "--sdg-taxonomy", "taxonomy", "-x", "-k", "qna")
    result.assert_outcomes(passed=3, failed=1, deselected=1)  # stops at the first failure


def test_last_failed(project):
    run(project, "-q", "--sdg-taxonomy", "taxonomy").assert_outcomes(passed=7, failed=2, warnings=1)
    result = run(project, "-q", "--sdg-taxonomy", "taxonomy", "--lf")
    result.assert_outcomes(failed=2)


def test_xdist(project):
    result = run(project, "-q", "--sdg-taxonomy", "taxonomy", "-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=7, failed=2, warnings=1)


def test_ini_option_collects_when_no_paths_are_given(project):
    project.makeini("[pytest]\nsdg_taxonomy = taxonomy\n")
    assert len(nodeids(run(project, "-q", "--co"))) == 9
    # explicit paths choose what is collected
    assert nodeids(run(project, "-q", "--co", "test_plain.py")) == ["test_plain.py::test_plain"]
    assert nodeids(run(project, "-q", "--co", "taxonomy/knowledge")) == [
        "taxonomy/knowledge/tides/branch/qna.yaml::lint",
        "taxonomy/knowledge/tides/branch/qna.yaml::schema",
        "taxonomy/knowledge/tides/short/qna.yaml::lint",
        "taxonomy/knowledge/tides/short/qna.yaml::schema",
    ]


def test_profile_option(project):
    # ilab: yamllint warnings are errors, no attribution: same failures here, plus none new
    run(project, "-q", "--sdg-taxonomy", "taxonomy", "--sdg-profile", "ilab").assert_outcomes(
        passed=7, failed=2, warnings=1
    )
    (project.path / "taxonomy/compositional_skills/units/conversion/attribution.txt").unlink()
    run(project, "-q", "--sdg-taxonomy", "taxonomy").assert_outcomes(passed=6, failed=3, warnings=1)
    run(project, "-q", "--sdg-taxonomy", "taxonomy", "--sdg-profile", "ilab").assert_outcomes(
        passed=7, failed=2, warnings=1
    )


def test_a_missing_taxonomy_is_a_usage_error(project):
    result = run(project, "--sdg-taxonomy", "nowhere")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*sdg-ci: taxonomy root is not a folder: *nowhere"])
