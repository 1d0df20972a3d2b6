"""`sdg-ci check` run by a person on their machine (no GitHub Actions variables)."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from taxonomy_repo import COLLECTIVE, PLURALS, SUB, TaxonomyPR

from sdg_ci.cli import main


@pytest.fixture
def pr(tmp_path, monkeypatch):
    repo = TaxonomyPR(tmp_path).create()
    for key in ("HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM"):
        monkeypatch.setenv(key, repo.env[key])
    repo.git(repo.work, "checkout", "-q", "feature")  # a contributor's branch, not a merge
    return repo


def check(pr, *args: str) -> int:
    return main(["-C", str(pr.root), "check", "--out", str(pr.tmp / "out"), "--no-progress",
                 *args])


def test_no_generate_reports_invalid_leaves(pr, capsys):
    assert check(pr, "--base", "origin/main", "--no-generate") == 1
    out = capsys.readouterr().out
    assert out.startswith("sdg-ci check: fail — 1 invalid leaf file\n")
    assert f"  summary: {pr.tmp / 'out' / 'summary.md'}" in out
    md = (pr.tmp / "out" / "summary.md").read_text()
    assert md.startswith("## ❌ sdg-ci: failed — 1 invalid leaf file")
    assert f"`{COLLECTIVE}:5:1`" in md  # no GitHub context: plain places, no links
    assert "](" not in md
    record = json.loads((pr.tmp / "out" / "check.json").read_text())
    assert record["generation"] is None
    assert record["generation_skipped"] == "generation was turned off (--no-generate)"
    assert record["taxonomy"] == SUB


def test_nothing_changed_passes(pr, capsys):
    assert check(pr, "--base", "feature", "--no-generate") == 0
    assert capsys.readouterr().out.startswith("sdg-ci check: pass\n")
    md = (pr.tmp / "out" / "summary.md").read_text()
    assert md.startswith("## ✅ sdg-ci: passed\n\nno leaf changed")


def test_unknown_base_is_a_usage_error(pr, capsys):
    assert check(pr, "--base", "no-such-branch") == 2
    err = capsys.readouterr().err
    assert err.startswith("sdg-ci: error: ") and err.count("\n") == 1
    assert "no-such-branch" in err


def test_comment_outside_actions_says_what_is_missing(pr, capsys):
    assert check(pr, "--base", "origin/main", "--no-generate", "--comment") == 1
    err = capsys.readouterr().err
    assert "sdg-ci: notice: no PR comment: missing a pull request number, GITHUB_REPOSITORY, " \
           "a token (GITHUB_TOKEN)" in err


def test_endpoint_down_fails_the_gate_not_the_run(pr, capsys, tmp_path):
    pr.fix_collective_leaf()
    pr.git(pr.work, "checkout", "-q", "feature")
    settings = yaml.safe_load((pr.root / ".sdg-ci.yaml").read_text())
    settings["generate"].update({"give_up_after_s": 0.5, "teacher": {"timeout_s": 0.5,
                                 "url": "http://127.0.0.1:9/v1", "model": "m"}})
    config = tmp_path / "trusted.yaml"
    config.write_text(yaml.safe_dump(settings))
    code = check(pr, "--base", "origin/main", "--config", str(config))
    out = capsys.readouterr().out
    assert code == 1, out
    md = (pr.tmp / "out" / "summary.md").read_text()
    assert "quality gate" in md and "min_kept_pairs" in md
    record = json.loads((pr.tmp / "out" / "check.json").read_text())
    assert {g["leaf"] for g in record["gates"] if not g["passed"]} >= {PLURALS}


def test_api_key_is_never_printed(pr, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret-key")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_very_secret_token")
    check(pr, "--base", "origin/main", "--no-generate")
    captured = capsys.readouterr()
    text = captured.out + captured.err + (pr.tmp / "out" / "summary.md").read_text() + \
        (pr.tmp / "out" / "check.json").read_text()
    assert "sk-very-secret-key" not in text and "ghs_very_secret_token" not in text
    assert os.environ["OPENAI_API_KEY"] == "sk-very-secret-key"


def test_credentials_in_an_endpoint_url_are_never_shown(pr, capsys, tmp_path):
    pr.fix_collective_leaf()
    pr.git(pr.work, "checkout", "-q", "feature")
    settings = yaml.safe_load((pr.root / ".sdg-ci.yaml").read_text())
    settings["generate"].update({"give_up_after_s": 0.5, "teacher": {"timeout_s": 0.5}})
    config = tmp_path / "trusted.yaml"
    config.write_text(yaml.safe_dump(settings))
    url = "http://user:sk-in-userinfo@127.0.0.1:9/v1?api-key=sk-in-query#sk-in-fragment"
    check(pr, "--base", "origin/main", "--config", str(config), "--teacher-url", url,
          "--teacher-model", "m")
    captured = capsys.readouterr()
    out = pr.tmp / "out"
    text = captured.out + captured.err + "".join(
        (out / name).read_text() for name in ("summary.md", "check.json", "summary.json"))
    assert "127.0.0.1:9/v1" in text  # the endpoint is still named (summary.json, notes)
    assert "sk-in-" not in text
