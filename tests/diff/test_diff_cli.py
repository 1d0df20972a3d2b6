"""`sdg-ci diff`: text and JSON output, exit statuses, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

from diff_helpers import knowledge, skill

from sdg_ci.cli import main

POEMS = "compositional_skills/writing/poems/qna.yaml"
PROSE = "compositional_skills/writing/prose/qna.yaml"
PHYSICS = "knowledge/science/physics/qna.yaml"


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output(base_repo, capsys):
    base_repo.write(POEMS, skill("edited"))
    base_repo.write(PHYSICS, knowledge(commit="new"))
    base_repo.write("knowledge/history/rome/qna.yaml", knowledge("rome"))
    base_repo.write("knowledge/history/greece/QnA.yml", knowledge("greece"))
    code, out, err = run(capsys, "-C", str(base_repo.root), "diff", "--base", "main")
    assert code == 0
    assert out.splitlines() == [
        f"modified  {POEMS}  [content]",
        "added     knowledge/history/rome/qna.yaml  [content]",
        f"modified  {PHYSICS}  [content, document]",
        "misnamed  knowledge/history/greece/QnA.yml (added): not a leaf: only files named "
        "exactly qna.yaml are leaves; rename it to qna.yaml",
        "3 leaves changed: 2 modified, 1 added",
    ]
    assert err == f"comparing the working tree with main at {base_repo.sha('main')[:12]}\n"


def test_text_output_rename_delete_and_nothing(base_repo, capsys):
    base_repo.git("mv", "compositional_skills/writing/poems", "compositional_skills/writing/verse")
    base_repo.git("rm", "-q", PROSE)
    code, out, _ = run(capsys, "-C", str(base_repo.root), "diff", "--staged")
    assert out.splitlines() == [
        f"deleted   {PROSE}  [content]",
        f"renamed   compositional_skills/writing/verse/qna.yaml (from {POEMS})  [renamed]",
        "2 leaves changed: 1 renamed, 1 deleted",
    ]
    code, out, _ = run(capsys, "-C", str(base_repo.root), "diff", "--committed")
    assert (code, out) == (0, "no leaf changed\n")


def test_json_contract(base_repo, capsys):
    base_repo.write(POEMS, skill("edited"))
    base_repo.git("mv", PHYSICS, "knowledge/science/qna.yaml")
    head = base_repo.commit()
    code, out, err = run(capsys, "-C", str(base_repo.root), "diff", "--format", "json",
                         "--committed")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data == {
        "base": "main",
        "merge_base": base_repo.sha("main"),
        "head": head,
        "mode": "committed",
        "leaves": [
            {"path": POEMS, "status": "modified", "old_path": None, "reasons": ["content"]},
            {"path": "knowledge/science/qna.yaml", "status": "renamed", "old_path": PHYSICS,
             "reasons": ["renamed"]},
        ],
        "misnamed": [],
    }


def test_commits_flag(base_repo, capsys):
    before = base_repo.sha()
    base_repo.write(PROSE, skill("x"))
    after = base_repo.commit()
    code, out, _ = run(capsys, "-C", str(base_repo.root), "diff", "--format", "json",
                       "--commits", f"{before}..{after}")
    data = json.loads(out)
    assert (data["base"], data["merge_base"], data["head"]) == (before, before, after)
    assert [leaf["path"] for leaf in data["leaves"]] == [PROSE]


def test_errors_are_one_line_with_exit_2(base_repo, capsys):
    code, out, err = run(capsys, "-C", str(base_repo.root), "diff", "--base", "nope")
    assert code == 2 and out == ""
    assert err.startswith("sdg-ci: error: base 'nope' not found: ")
    assert err.count("\n") == 1


def test_modes_are_exclusive(base_repo, capsys):
    try:
        main(["-C", str(base_repo.root), "diff", "--staged", "--commits", "a..b"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_finds_the_taxonomy_root_from_a_subfolder(make_repo, monkeypatch, capsys):
    repo = make_repo(subdir="taxonomy")
    repo.write(POEMS, skill())
    repo.commit()
    repo.git("checkout", "-q", "-b", "pr")
    repo.write(POEMS, skill("x"))
    monkeypatch.chdir(repo.root / "compositional_skills" / "writing")
    code, out, _ = run(capsys, "diff")
    assert out.splitlines() == [f"modified  {POEMS}  [content]", "1 leaf changed: 1 modified"]


def test_console_script_runs(base_repo):
    base_repo.write(POEMS, skill("x"))
    done = subprocess.run(
        [sys.executable, "-m", "sdg_ci", "-C", str(base_repo.root), "diff"],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "1 leaf changed: 1 modified"
