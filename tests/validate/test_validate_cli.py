"""`sdg-ci validate`: output formats, the JSON contract, exit statuses, configuration."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sdg_ci.cli import main
from sdg_ci.validate import validate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "validate" / "taxonomy"
VALID = "compositional_skills/valid/freeform"
CASE = "knowledge/cases/two_qas"


@pytest.fixture
def taxonomy(tmp_path, monkeypatch):
    """A small taxonomy: two valid leaves, one invalid, one with a warning; cwd = its root."""
    root = tmp_path / "taxonomy"
    for folder in (VALID, "knowledge/valid/tides", CASE, "knowledge/cases/commit_branch"):
        shutil.copytree(FIXTURES / folder, root / folder)
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return root


def run(capsys, *argv):
    code = main(["validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_format(taxonomy, capsys):
    code, out, err = run(capsys)
    assert code == 1
    assert err == ""
    assert out.splitlines() == [
        "knowledge/cases/commit_branch/qna.yaml:58:11: warning Q302 document.commit 'main' is "
        "not a full 40-character commit SHA; a branch or a short SHA can move, so pin the "
        "exact commit [.document.commit]",
        "knowledge/cases/two_qas/qna.yaml:10:7: error Q105 "
        "seed_examples[0].questions_and_answers has 2 items; at least 3 are required "
        "[.seed_examples[0].questions_and_answers]",
        "4 files checked: 1 invalid (1 error, 1 warning)",
    ]


def test_only_valid_files_exit_zero_even_with_warnings(taxonomy, capsys):
    code, out, _ = run(capsys, "knowledge/cases/commit_branch", VALID)
    assert code == 0
    assert out.splitlines()[-1] == "2 files checked: all valid (0 errors, 1 warning)"


def test_json_follows_the_design_contract(taxonomy, capsys):
    code, out, _ = run(capsys, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert list(data) == ["files", "counts"]
    assert data["counts"] == {"files": 4, "invalid": 1, "errors": 1, "warnings": 1}
    by_path = {f["path"]: f for f in data["files"]}
    assert sorted(by_path) == [
        "compositional_skills/valid/freeform/qna.yaml",
        "knowledge/cases/commit_branch/qna.yaml",
        "knowledge/cases/two_qas/qna.yaml",
        "knowledge/valid/tides/qna.yaml",
    ]
    for entry in data["files"]:
        assert list(entry) == ["path", "valid", "errors", "warnings"]
    assert by_path["knowledge/cases/two_qas/qna.yaml"] == {
        "path": "knowledge/cases/two_qas/qna.yaml",
        "valid": False,
        "errors": [
            {
                "line": 10,
                "column": 7,
                "code": "Q105",
                "message": "seed_examples[0].questions_and_answers has 2 items; at least 3 "
                "are required",
                "yaml_path": ".seed_examples[0].questions_and_answers",
            }
        ],
        "warnings": [],
    }
    warning = by_path["knowledge/cases/commit_branch/qna.yaml"]["warnings"][0]
    assert (warning["code"], warning["line"], warning["column"]) == ("Q302", 58, 11)
    assert by_path["knowledge/valid/tides/qna.yaml"]["valid"] is True


def test_json_paths_are_relative_to_the_taxonomy_root_from_anywhere(taxonomy, capsys, monkeypatch):
    monkeypatch.chdir(taxonomy.parent)
    _, out, _ = run(capsys, "--format", "json", f"taxonomy/{CASE}/qna.yaml")
    assert [f["path"] for f in json.loads(out)["files"]] == [f"{CASE}/qna.yaml"]


def test_github_format(taxonomy, capsys):
    code, out, _ = run(capsys, "--format", "github", CASE)
    assert code == 1
    assert out.splitlines() == [
        "::error file=knowledge/cases/two_qas/qna.yaml,line=10,col=7,title=sdg-ci Q105::"
        "seed_examples[0].questions_and_answers has 2 items; at least 3 are required "
        "[.seed_examples[0].questions_and_answers]",
        "1 file checked: 1 invalid (1 error, 0 warnings)",
    ]


def test_github_format_is_automatic_in_github_actions(taxonomy, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _, out, _ = run(capsys, "knowledge/cases/commit_branch")
    assert out.startswith("::warning file=knowledge/cases/commit_branch/qna.yaml,line=58,col=11,")
    _, out, _ = run(capsys, "--format", "text", "knowledge/cases/commit_branch")
    assert out.startswith("knowledge/cases/commit_branch/qna.yaml:58:11: warning Q302 ")


def test_github_annotations_name_files_from_the_workspace(taxonomy, capsys, monkeypatch):
    # a step with `working-directory:` set to the taxonomy folder: GitHub places
    # annotations by their path in the checkout, not in the step's folder
    monkeypatch.setenv("GITHUB_WORKSPACE", str(taxonomy.parent))
    _, out, _ = run(capsys, "--format", "github", CASE)
    assert out.startswith(f"::error file={taxonomy.name}/{CASE}/qna.yaml,line=10,col=7,")
    _, out, _ = run(capsys, "--format", "text", CASE)
    assert out.startswith(f"{CASE}/qna.yaml:10:7: error Q105 ")


def test_github_workflow_command_escaping(taxonomy, capsys):
    odd = taxonomy / "compositional_skills/odd,name: x"
    shutil.copytree(FIXTURES / VALID, odd)
    (odd / "qna.yaml").write_text((odd / "qna.yaml").read_text() + '"rate%": 5\n')
    _, out, _ = run(capsys, "--format", "github", str(odd))
    assert out.splitlines()[:2] == [
        "::warning file=compositional_skills/odd%2Cname%3A x/qna.yaml,line=1,col=1,"
        'title=sdg-ci Q311::folder name "odd,name: x" has spaces; taxonomy folders are lower '
        'case with underscores (e.g. "odd,name:_x")',
        "::error file=compositional_skills/odd%2Cname%3A x/qna.yaml,line=15,col=1,"
        'title=sdg-ci Q102::unknown key "rate%25"; allowed keys: created_by, seed_examples, '
        "task_description, version [.rate%25]",
    ]


def test_profile_option(taxonomy, capsys):
    folder = "compositional_skills/cases/version_2"
    shutil.copytree(FIXTURES / folder, taxonomy / folder)
    assert run(capsys, folder)[0] == 1
    assert run(capsys, "--profile", "ilab", folder)[0] == 0


def test_a_missing_path_is_a_usage_error(taxonomy, capsys):
    code, out, err = run(capsys, "no/such/place")
    assert code == 2
    assert out == ""
    assert err == "sdg-ci: error: no such file or folder: no/such/place\n"


def test_no_leaves_found(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "knowledge").mkdir()
    code, out, _ = run(capsys)
    assert code == 0
    assert out == f"no qna.yaml files found under {tmp_path}\n"


def test_taxonomy_root_option(taxonomy, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code = main(["-C", str(taxonomy), "validate", "--format", "json"])
    assert code == 1
    assert json.loads(capsys.readouterr().out)["counts"]["files"] == 4


def test_sdg_ci_yaml_sets_rule_levels_and_profile(taxonomy, capsys):
    (taxonomy / ".sdg-ci.yaml").write_text(
        "validate:\n  rules:\n    Q302: error\n    Q105: 'off'\n"
    )
    code, out, _ = run(capsys, "knowledge/cases/commit_branch", CASE)
    assert code == 1
    assert out.splitlines() == [
        "knowledge/cases/commit_branch/qna.yaml:58:11: error Q302 document.commit 'main' is "
        "not a full 40-character commit SHA; a branch or a short SHA can move, so pin the "
        "exact commit [.document.commit]",
        "2 files checked: 1 invalid (1 error, 0 warnings)",
    ]


def test_unknown_rule_code_in_config_is_a_usage_error(taxonomy, capsys):
    (taxonomy / ".sdg-ci.yaml").write_text("validate:\n  rules:\n    Q999: error\n")
    code, out, err = run(capsys)
    assert code == 2
    assert err == (
        "sdg-ci: error: validate.rules: unknown rule code(s) Q999; "
        "see docs/rules.md for the codes\n"
    )


def test_a_yamllint_file_at_the_root_replaces_the_default(taxonomy, capsys):
    (taxonomy / ".yamllint.yaml").write_text(
        "extends: relaxed\nrules:\n  line-length:\n    max: 60\n    level: error\n"
    )
    code, out, _ = run(capsys, VALID)
    assert code == 1
    assert out.splitlines()[0] == (
        "compositional_skills/valid/freeform/qna.yaml:2:61: error Q200 line too long (67 > 60 "
        "characters) (line-length)"
    )


def test_a_broken_yamllint_file_is_a_usage_error(taxonomy, capsys):
    (taxonomy / ".yamllint").write_text("rules:\n  no-such-rule: enable\n")
    code, _, err = run(capsys, VALID)
    assert code == 2
    assert err.startswith(
        f"sdg-ci: error: {taxonomy / '.yamllint'}: invalid yamllint configuration"
    )
    assert err.count("\n") == 1


def test_a_yamllint_file_that_is_not_yaml_is_a_one_line_usage_error(taxonomy, capsys):
    (taxonomy / ".yamllint.yaml").write_text("extends: relaxed\nrules: {line-length: {max: 9\n")
    code, _, err = run(capsys, VALID)
    assert code == 2
    assert err == (
        f"sdg-ci: error: {taxonomy / '.yamllint.yaml'}: invalid yamllint configuration: "
        "YAML syntax error at line 3, column 1: while parsing a flow mapping, "
        "expected ',' or '}', but got '<stream end>'\n"
    )


def test_the_console_script_never_shows_a_traceback(taxonomy):
    sdg_ci = Path(sys.executable).with_name("sdg-ci")
    command = [str(sdg_ci)] if sdg_ci.exists() else [sys.executable, "-m", "sdg_ci"]
    proc = subprocess.run(
        [*command, "validate", "--format", "nope"], capture_output=True, text=True
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = subprocess.run([*command, "validate", "missing"], capture_output=True, text=True)
    assert (proc.returncode, proc.stderr) == (2, "sdg-ci: error: no such file or folder: missing\n")
    proc = subprocess.run([*command, "validate"], capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stdout.endswith(
        "4 files checked: 1 invalid (1 error, 1 warning)\n"
    )


def test_worker_processes_give_the_same_answer(tmp_path):
    sources = sorted(p.parent for p in FIXTURES.glob("*/cases/*/qna.yaml"))
    paths = []
    for i in range(240):  # over the threshold for worker processes
        source = sources[i % len(sources)]
        target = tmp_path / source.relative_to(FIXTURES).parent / f"{source.name}_{i}"
        shutil.copytree(source, target)
        paths.append(target / "qna.yaml")
    serial = validate(paths, root=tmp_path, jobs=1)
    parallel = validate(paths, root=tmp_path, jobs=2)
    assert [r.to_json() for r in parallel] == [r.to_json() for r in serial]
    assert sum(not r.valid for r in serial) > 100
