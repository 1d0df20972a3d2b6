"""Run on the wrong folder, every command says so (exit 2, a `-C PATH` hint); and every
path or piece of repository text in plain output is one line that cannot start a GitHub
workflow command, whatever a pull request names its folders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import Repo

from sdg_ci.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "validate" / "taxonomy"
VALID = (FIXTURES / "compositional_skills/valid/freeform/qna.yaml").read_text(encoding="utf-8")
ATTRIBUTION = (FIXTURES / "compositional_skills/valid/freeform/attribution.txt").read_text()

COMMANDS = [
    ["validate"],
    ["diff"],
    ["check", "--no-generate"],
    ["generate", "--changed"],
    ["build", "--out", "dataset"],
]


def _unrelated_folder(where: Path) -> Path:
    """A folder full of qna.yaml files that is no taxonomy (a home folder, a monorepo)."""
    for rel in ("project/qna.yaml", "notes/taxonomy/compositional_skills/x/qna.yaml"):
        path = where / rel
        path.parent.mkdir(parents=True)
        path.write_text(VALID)
    return where


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("how", ["cwd", "-C"])
def test_a_folder_that_is_not_a_taxonomy_is_a_usage_error(
    tmp_path, monkeypatch, capsys, git_env, command, how
):
    folder = _unrelated_folder(tmp_path / "home")
    Repo(folder).git("init", "-q", "-b", "main")
    monkeypatch.chdir(folder)
    argv = ["-C", str(folder), *command] if how == "-C" else command
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "is not a taxonomy (it has no compositional_skills/ or knowledge/ folder)" in err
    assert "-C PATH" in err
    assert not (folder / "dataset").exists() and not (folder / "sdg-out").exists()


def test_validate_names_the_folder_searched(tmp_path, monkeypatch, capsys):
    folder = _unrelated_folder(tmp_path / "home")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", str(folder / "project")]) == 2
    assert "project is not a taxonomy" in capsys.readouterr().err


def test_a_file_named_outside_a_taxonomy_still_gets_its_answer(tmp_path, capsys):
    folder = _unrelated_folder(tmp_path / "home")
    assert main(["validate", "--format", "text", str(folder / "project" / "qna.yaml")]) == 1
    assert "error Q021" in capsys.readouterr().out


@pytest.mark.parametrize("only", ["compositional_skills", "knowledge"])
def test_one_of_the_two_leaf_folders_is_enough(tmp_path, capsys, only):
    (tmp_path / only).mkdir()
    assert main(["-C", str(tmp_path), "validate"]) == 0
    assert main(["-C", str(tmp_path), "diff"]) == 0


# ---- the advice for qna.yaml files that are not leaves names the real problem ---------------
def test_diff_advice_for_a_taxonomy_inside_the_taxonomy(tmp_path, capsys, git_env):
    repo = Repo(tmp_path / "repo")
    repo.git("init", "-q", "-b", "main")
    repo.write("compositional_skills/real/qna.yaml", VALID)
    repo.commit("base")
    repo.write("vendor/upstream/compositional_skills/writing/qna.yaml", VALID)
    repo.write("docs/examples/qna.yaml", VALID)
    repo.write("foundational_skills/reasoning/qna.yaml", VALID)
    repo.write("foundational_skills/reasoning/qna.yml", VALID)
    assert main(["-C", str(repo.root), "diff", "--base", "HEAD"]) == 0
    lines = capsys.readouterr().out.splitlines()
    nested = [ln for ln in lines if "vendor/upstream" in ln]
    assert len(nested) == 1
    assert "move it there" not in nested[0]
    assert "under vendor/upstream/compositional_skills/" in nested[0]
    assert "-C vendor/upstream" in nested[0]
    (docs,) = [ln for ln in lines if "docs/examples" in ln]
    assert docs.endswith("move it there")
    assert not [ln for ln in lines if "foundational_skills" in ln]


# ---- workflow-command injection through names ------------------------------------------
HOSTILE = "evil\n::error title=pwned::injected"


def _no_live_command(text: str) -> None:
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line


def test_diff_prints_each_hostile_name_on_one_line(tmp_path, capsys, git_env):
    repo = Repo(tmp_path / "repo")
    repo.git("init", "-q", "-b", "main")
    repo.write("compositional_skills/real/qna.yaml", VALID)
    repo.commit("base")
    repo.write(f"compositional_skills/{HOSTILE}/qna.yaml", VALID)
    repo.write(f"compositional_skills/{HOSTILE}/qna.yml", VALID)
    repo.write(f"{HOSTILE}/qna.yaml", VALID)
    repo.move("compositional_skills/real/qna.yaml", f"knowledge/{HOSTILE}/qna.yaml")
    assert main(["-C", str(repo.root), "diff", "--base", "HEAD"]) == 0
    out, err = capsys.readouterr()
    _no_live_command(out)
    _no_live_command(err)
    lines = out.splitlines()
    assert len(lines) == 5, out  # added, renamed, two misnamed, the count
    assert sum("evil ::error title=pwned::injected" in ln for ln in lines) == 4


def test_validate_text_prints_each_hostile_name_on_one_line(tmp_path, monkeypatch, capsys):
    for folder in (f"compositional_skills/{HOSTILE}", f"::error::{HOSTILE}"):
        path = tmp_path / folder / "qna.yaml"
        path.parent.mkdir(parents=True)
        key = '"key\\n::error title=key::injected": 1\n'  # a key holding a newline
        path.write_text(VALID.replace("seed_examples:", key + "seed_examples:", 1))
        (path.parent / "attribution.txt").write_text(ATTRIBUTION)
    monkeypatch.chdir(tmp_path)
    named = f"::error::{HOSTILE}/qna.yaml"
    code = main(["validate", "--format", "text", ".", named])
    assert code == 1
    out = capsys.readouterr().out
    _no_live_command(out)
    lines = out.splitlines()
    assert all(ln.count(": error ") + ln.count(": warning ") <= 1 for ln in lines), out
    assert any(ln.startswith("./::error::evil ::error title=pwned") for ln in lines), out
    assert sum("Q102" in ln and "key ::error title=key::injected" in ln for ln in lines) == 2


def test_the_cli_subprocess_output_has_no_live_command(tmp_path, git_env):
    repo = Repo(tmp_path / "repo")
    repo.git("init", "-q", "-b", "main")
    repo.write("compositional_skills/real/qna.yaml", VALID)
    repo.commit("base")
    repo.write(f"compositional_skills/{HOSTILE}/qna.yaml", VALID)
    for argv in (["diff", "--base", "HEAD"], ["validate", "--format", "text"]):
        proc = subprocess.run(
            [sys.executable, "-m", "sdg_ci", "-C", str(repo.root), *argv],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode in (0, 1), proc.stderr
        _no_live_command(proc.stdout)
        _no_live_command(proc.stderr)
