"""`sdg-ci validate --changed` and the plugin's `--sdg-changed`: only what the diff names."""

from __future__ import annotations

import json

import pytest

from sdg_ci.cli import main

pytest_plugins = ["pytester"]


def _validate(capsys, repo, *args: str) -> tuple[int, str]:
    code = main(["-C", str(repo.root), "validate", *args])
    return code, capsys.readouterr().out


def _checked(out: str) -> list[str]:
    return [f["path"] for f in json.loads(out)["files"]]


def test_only_changed_leaves_are_checked(base_repo, capsys):
    base_repo.write("compositional_skills/writing/poems/qna.yaml", "version: 3\n")
    base_repo.write("compositional_skills/writing/haiku/qna.yml", "version: 3\n")
    base_repo.commit("change poems, add a misnamed leaf")
    code, out = _validate(capsys, base_repo, "--changed", "--base", "main", "--format", "json")
    assert _checked(out) == [
        "compositional_skills/writing/haiku/qna.yml",
        "compositional_skills/writing/poems/qna.yaml",
    ]
    assert code == 1
    codes = {d["code"] for f in json.loads(out)["files"] for d in f["errors"]}
    assert "Q020" in codes  # the misnamed file is reported, not skipped


def test_deleted_leaves_are_not_validated(base_repo, capsys):
    base_repo.remove("compositional_skills/writing/prose/qna.yaml")
    base_repo.commit("delete prose")
    code, out = _validate(capsys, base_repo, "--changed", "--base", "main")
    assert (code, out) == (0, "no leaf changed: nothing to check\n")


def test_paths_narrow_the_changed_set(base_repo, capsys):
    base_repo.write("compositional_skills/writing/poems/qna.yaml", "version: 3\n")
    base_repo.write("knowledge/science/physics/attribution.txt", "Title: new\n")
    base_repo.commit("two changes")
    only = str(base_repo.root / "knowledge")
    _, out = _validate(capsys, base_repo, "--changed", "--base", "main", "--format", "json", only)
    assert _checked(out) == ["knowledge/science/physics/qna.yaml"]


def test_base_without_changed_is_a_usage_error(base_repo, capsys):
    code = main(["-C", str(base_repo.root), "validate", "--base", "main"])
    assert code == 2
    assert "--base goes with --changed" in capsys.readouterr().err


def test_unknown_base_is_a_one_line_error(base_repo, capsys):
    code = main(["-C", str(base_repo.root), "validate", "--changed", "--base", "nope"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("sdg-ci: error:") and "nope" in err and len(err.splitlines()) == 1


def test_plugin_collects_only_changed_leaves(base_repo, pytester):
    base_repo.write("compositional_skills/writing/poems/qna.yaml", "version: 3\n")
    base_repo.commit("change poems")
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--sdg-taxonomy", str(base_repo.root),
        "--sdg-changed=main", "--collect-only", "-q",
    )
    items = [line for line in result.outlines if "::" in line]
    assert len(items) == 2
    assert all(i.endswith(("compositional_skills/writing/poems/qna.yaml::schema",
                           "compositional_skills/writing/poems/qna.yaml::lint")) for i in items)


def test_plugin_changed_needs_a_taxonomy(pytester):
    result = pytester.runpytest("--sdg-changed")
    result.stderr.fnmatch_lines(["*--sdg-changed needs --sdg-taxonomy PATH*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR
