"""`sdg-ci generate`: leaves by path or by git diff, flags over the config, exit statuses."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import yaml
from gen_taxonomy import FREEFORM, GROUNDED, make_config, make_taxonomy
from openai_server import FakeOpenAI

from sdg_ci.cli import main


def write_config(root, cache):
    data = make_config("http://unused", cache).model_dump(mode="json")["generate"]
    data.pop("teacher")
    data.pop("critic")
    (root / ".sdg-ci.yaml").write_text(yaml.safe_dump({"generate": data}))


def cli(root, *args):
    return main(["-C", str(root), "generate", *args, "--no-progress"])


def test_leaves_by_path_with_flags_for_the_models(tmp_path, capsys, openai_server):
    root = tmp_path / "tax"
    make_taxonomy(root, knowledge=False)
    write_config(root, tmp_path / "cache")
    out = tmp_path / "out"
    code = cli(root, str(root / "compositional_skills" / "writing"), "--out", str(out),
               "--teacher-url", openai_server.url, "--teacher-model", "fake-model",
               "--scale", "full")
    printed = capsys.readouterr().out
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert [leaf["path"] for leaf in summary["leaves"]] == [FREEFORM]
    assert summary["scale"] == "full" and summary["leaves"][0]["questions_generated"] == 12
    requests = sum(leaf["usage"]["requests"] for leaf in summary["leaves"])
    assert summary["models"][0] == {"role": "teacher", "model": "fake-model",
                                    "endpoint": openai_server.url,
                                    "requests_per_replica": {openai_server.url: requests}}
    assert f"{FREEFORM} (freeform_skill): 12 questions" in printed
    assert "wrote " + str(out / "summary.json") in printed


def test_changed_leaves_from_git_carry_their_status(tmp_path, capsys, openai_server):
    root = tmp_path / "tax"
    make_taxonomy(root, knowledge=False)
    write_config(root, tmp_path / "cache")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e", "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": os.devnull}
    env = {k: v for k, v in env.items() if not k.startswith("GITHUB_")}

    def git(*args):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("checkout", "-q", "-b", "pr")
    data = yaml.safe_load((root / GROUNDED).read_text())
    data["task_description"] += " Keep the order of the memo."
    (root / GROUNDED).write_text(yaml.safe_dump(data))
    git("commit", "-q", "-am", "change")
    out = tmp_path / "out"
    code = cli(root, "--changed", "--base", "main", "--out", str(out),
               "--teacher-url", openai_server.url, "--teacher-model", "fake-model")
    assert code == 0, capsys.readouterr().err
    leaves = json.loads((out / "summary.json").read_text())["leaves"]
    assert [(leaf["path"], leaf["status"]) for leaf in leaves] == [(GROUNDED, "modified")]


def test_nothing_generated_exits_1_and_usage_errors_exit_2(tmp_path, capsys):
    root = tmp_path / "tax"
    make_taxonomy(root, knowledge=False)
    write_config(root, tmp_path / "cache")
    with FakeOpenAI(responder=lambda stage, body, choice: "no idea") as server:
        code = cli(root, FREEFORM, "--out", str(tmp_path / "out"), "--teacher-url", server.url,
                   "--teacher-model", "m")
    assert code == 1
    assert "nothing was generated" in capsys.readouterr().out
    assert cli(root, "--out", str(tmp_path / "o")) == 2
    assert "name the leaves" in capsys.readouterr().err
    assert cli(root, FREEFORM, "--changed") == 2
    assert cli(root, "no/such/leaf") == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert cli(root, FREEFORM, "--teacher-url", "http://127.0.0.1:9/v1") == 2
    assert "generate.teacher.model is not" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--critic-url", "--critic-model"])
def test_critic_flags_make_a_separate_critic(tmp_path, capsys, flag):
    root = tmp_path / "tax"
    make_taxonomy(root, knowledge=False)
    write_config(root, tmp_path / "cache")
    with FakeOpenAI() as teacher, FakeOpenAI(model="critic-model") as critic:
        value = critic.url if flag == "--critic-url" else "critic-model"
        extra = [] if flag == "--critic-url" else ["--critic-url", critic.url]
        code = cli(root, FREEFORM, "--out", str(tmp_path / "out"), "--teacher-url",
                   teacher.url, "--teacher-model", "fake-model", flag, value, *extra)
        stages_at_teacher = {r.stage for r in teacher.requests}
        stages_at_critic = {r.stage for r in critic.requests}
    assert code == 0
    assert stages_at_teacher == {"questions", "answers"}
    assert stages_at_critic == {"question_critic", "pair_rating"}


def test_printed_paths_and_notes_cannot_start_a_workflow_command(capsys, tmp_path):
    from sdg_ci.commands.generate import print_summary
    from sdg_ci.records.run import LeafSummary, RunSummary

    hostile = "\n::error title=Injected::pwned\r\n"
    leaf = LeafSummary(path=f"knowledge/a{hostile}/qna.yaml", kind="knowledge",
                       status="modified", notes=[f"documents could not be loaded: x{hostile}"])
    print_summary(RunSummary(leaves=[leaf], notes=[hostile]), tmp_path)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert not any(line.lstrip().startswith("::") for line in lines)


def test_a_leaf_that_cannot_be_read_does_not_stop_the_run_but_fails_it(tmp_path, capsys,
                                                                       openai_server):
    root = tmp_path / "tax"
    make_taxonomy(root, knowledge=False)
    write_config(root, tmp_path / "cache")
    loop = root / "compositional_skills" / "writing" / "loop" / "qna.yaml"
    loop.parent.mkdir()
    loop.symlink_to("qna.yaml")
    out = tmp_path / "out"
    folder = root / "compositional_skills" / "writing"
    for named in ([str(folder)], [str(root / FREEFORM), str(loop)]):
        code = cli(root, *named, "--out", str(out), "--teacher-url", openai_server.url,
                   "--teacher-model", "fake-model")
        captured = capsys.readouterr()
        printed = captured.out
        # the other leaf kept pairs, but a named leaf that could not be read fails the run,
        # and the last lines say which and why
        assert code == 1
        last = captured.err.strip().splitlines()[-2:]
        assert last[0] == "sdg-ci generate: failed: 1 of 2 leaves could not be read or generated:"
        assert last[1].startswith("  compositional_skills/writing/loop/qna.yaml: cannot read "
                                  "the leaf: cannot follow the path to a file")
        summary = json.loads((out / "summary.json").read_text())
        assert summary["leaves"][1]["failure"].startswith("cannot read the leaf")
        assert [leaf["path"] for leaf in summary["leaves"]] == [
            "compositional_skills/writing/haiku/qna.yaml",
            "compositional_skills/writing/loop/qna.yaml",
        ]
        assert summary["leaves"][0]["pairs_kept"] > 0
        assert "loop/qna.yaml (freeform_skill): 0 questions" in printed
        assert "note: cannot read the leaf: cannot follow the path to a file" in printed
