"""`sdg-ci check` the way the Action runs it, end to end.

A real taxonomy git repo with a PR branch (checked out as GitHub's merge commit), a real
`pull_request` event payload, GITHUB_STEP_SUMMARY / GITHUB_OUTPUT files, a local stand-in
for the GitHub REST API, and the local OpenAI-compatible model server. The command that runs
is the action's own `Run sdg-ci` step script, with the installed `sdg-ci`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from action_step import run_action_step
from fake_github import FakeGitHub
from taxonomy_repo import ACTION_ITEMS, COLLECTIVE, PLURALS, SUB, TaxonomyPR

SDG_CI = str(Path(sys.executable).parent / "sdg-ci")
MARKER = "<!-- sdg-ci:pr-summary:taxonomy -->"


def read_outputs(path: Path) -> list[dict]:
    """Each run appends its outputs: a list of {name: value}, one per run."""
    runs, current, lines, i = [], {}, path.read_text().split("\n"), 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line:
            name, delim = line.split("<<", 1)
            j = lines.index(delim, i + 1)
            if name in current:
                runs.append(current)
                current = {}
            current[name] = "\n".join(lines[i + 1 : j])
            i = j + 1
        else:
            i += 1
    return runs + [current]


@pytest.fixture
def github():
    fake = FakeGitHub().start()
    yield fake
    fake.stop()


@pytest.fixture
def pr(tmp_path):
    return TaxonomyPR(tmp_path).create()


def actions_env(pr: TaxonomyPR, github: FakeGitHub, event: Path, run_id: str) -> dict:
    env = dict(pr.env)
    env.update({
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "octo/taxonomy",
        "GITHUB_API_URL": github.url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_WORKSPACE": str(pr.work),
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": "feature",
        "GITHUB_SHA": pr.git(pr.work, "rev-parse", "HEAD"),
        "GITHUB_RUN_ID": run_id,
        "GITHUB_STEP_SUMMARY": str(pr.tmp / "step_summary.md"),
        "GITHUB_OUTPUT": str(pr.tmp / "output.txt"),
        "RUNNER_TEMP": str(pr.tmp),
    })
    return env


def run_check(pr, github, openai_server, number=7, action="opened", run_id="1", **inputs):
    event = pr.event(number, action)
    values = {
        "taxonomy-path": SUB,
        "teacher-url": openai_server.url,
        "teacher-model": "fake-model",
        "github-token": github.token,
        "out-dir": "sdg-ci-out",
    }
    values.update(inputs)
    return run_action_step(pr.work, values, SDG_CI, actions_env(pr, github, event, run_id))


def no_token_outside_masks(result, token: str) -> None:
    for line in (result.stdout + result.stderr).splitlines():
        if token in line:
            assert line == f"::add-mask::{token}", line


def test_pull_request_check_end_to_end(pr, github, openai_server):
    # ---------------------------------------------------------------- first push
    first = run_check(pr, github, openai_server)
    out = pr.work / "sdg-ci-out"
    assert first.returncode == 1, first.stdout + first.stderr  # an invalid leaf
    no_token_outside_masks(first, github.token)

    # one comment, created, with the marker and the verdict first
    assert len(github.calls("POST")) == 1 and github.calls("PATCH") == []
    assert len(github.comments[7]) == 1
    body = github.comments[7][0]["body"]
    assert body.startswith(MARKER + "\n## ❌ sdg-ci: failed — 1 invalid leaf file")
    assert "**3 changed leaves** (1 added, 1 modified, 1 deleted) · 1 invalid" in body

    # validation diagnostics link to the PR head commit (not the merge commit)
    link = f"https://github.com/octo/taxonomy/blob/{pr.head_sha}/{SUB}/{COLLECTIVE}#L"
    assert link in body
    # the modified leaf was generated; the invalid one skipped; the deleted one listed
    assert f"#### ✅ `{PLURALS}`" in body or f"#### ⚠️ `{PLURALS}`" in body
    assert "| ❌ | — (invalid) |" in body
    assert f"- `{ACTION_ITEMS}` — gone" in body
    assert ("git fetch origin pull/7/head:pr-7 && git checkout pr-7 && sdg-ci -C taxonomy "
            f"check --base origin/main --teacher-url {openai_server.url} --teacher-model "
            "fake-model --no-comment") in body
    assert "- Models: teacher `fake-model` (127\\.0\\.0\\.1)" in body

    # annotations: file relative to the repository root, with line and column
    errors = re.findall(r"^::error file=([^,]+),line=(\d+),col=(\d+),title=sdg-ci (Q\d+)::(.+)$",
                        first.stdout, re.M)
    assert errors and {e[0] for e in errors} == {f"{SUB}/{COLLECTIVE}"}
    assert any("seed_examples" in e[4] for e in errors)

    # step outputs
    outputs = read_outputs(pr.tmp / "output.txt")[-1]
    summary = json.loads((out / "summary.json").read_text())
    assert outputs["verdict"] == "fail"
    assert json.loads(outputs["changed-leaves"]) == [COLLECTIVE, PLURALS]
    assert json.loads(outputs["deleted-leaves"]) == [ACTION_ITEMS]
    assert json.loads(outputs["invalid-leaves"]) == [COLLECTIVE]
    kept = sum(leaf["pairs_kept"] for leaf in summary["leaves"])
    assert outputs["kept-pairs"] == str(kept) and kept > 0
    assert [leaf["path"] for leaf in summary["leaves"]] == [PLURALS]
    assert Path(outputs["summary-path"]) == out / "summary.md"

    # job summary == the comment without the marker; the data is in --out
    step = (pr.tmp / "step_summary.md").read_text()
    assert step.rstrip() == body[len(MARKER) + 1 :].rstrip()
    assert (out / "summary.md").read_text() == body[len(MARKER) + 1 :]
    check = json.loads((out / "check.json").read_text())
    assert check["verdict"] == "fail" and check["taxonomy"] == SUB
    assert (out / summary["leaves"][0]["data_file"]).is_file()

    # ---------------------------------------------------------------- second push
    pr.fix_collective_leaf()
    second = run_check(pr, github, openai_server, action="synchronize", run_id="2")
    assert second.returncode == 0, second.stdout + second.stderr
    assert len(github.calls("POST")) == 1  # still one comment...
    patches = github.calls("PATCH")
    assert len(patches) == 1  # ...updated in place
    comment_id = github.comments[7][0]["id"]
    assert patches[0].path == f"/repos/octo/taxonomy/issues/comments/{comment_id}"
    assert len(github.comments[7]) == 1
    body = github.comments[7][0]["body"]
    assert body.startswith(MARKER + "\n## ✅ sdg-ci: passed")
    assert f"/blob/{pr.head_sha}/" in body and "all quality gates met" in body
    outputs = read_outputs(pr.tmp / "output.txt")[-1]
    assert outputs["verdict"] == "pass"
    assert json.loads(outputs["invalid-leaves"]) == []
    assert not re.search(r"^::error", second.stdout, re.M)
    assert (pr.tmp / "step_summary.md").read_text().count("## ") >= 2  # appended


def test_fork_pr_with_read_only_token_and_a_failing_gate(pr, github, openai_server, tmp_path):
    """HTTP 403 on the comment: a notice and the job summary, not a failure; the exit status
    is the verdict's (here a quality gate fails)."""
    github.fail["POST"] = 403
    pr.fix_collective_leaf()
    gates = tmp_path / "gates.yaml"
    gates.write_text("default:\n  min_kept_pairs: 1000\n")
    result = run_check(pr, github, openai_server, number=8, **{"gates-config": str(gates)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"^::notice title=sdg-ci::could not post the PR comment \(HTTP 403: "
                     r"Resource not accessible by integration\)", result.stdout, re.M)
    gate_errors = re.findall(r"^::error file=taxonomy/([^,]+),line=1,col=1,"
                             r"title=sdg-ci quality gate min_kept_pairs::(.+)$", result.stdout,
                             re.M)
    assert {g[0] for g in gate_errors} == {COLLECTIVE, PLURALS}
    assert all("at least 1000 required (min_kept_pairs)" in g[1] for g in gate_errors)
    step = (pr.tmp / "step_summary.md").read_text()
    assert step.startswith("> [!NOTE]\n> could not post the PR comment")
    assert "## ❌ sdg-ci: failed — 2 quality gates failed on 2 leaves" in step
    assert "| `min_kept_pairs` |" in step
    assert github.comments.get(8, []) == []
    assert read_outputs(pr.tmp / "output.txt")[-1]["verdict"] == "fail"
    no_token_outside_masks(result, github.token)


def test_validate_mode_needs_no_model(pr, github, tmp_path):
    """mode: validate runs without any model endpoint and still comments."""

    class NoModel:
        url = "http://127.0.0.1:9/v1"  # nothing listens: any model call would fail

    result = run_check(pr, github, NoModel(), number=9, mode="validate")
    assert result.returncode == 1
    body = github.comments[9][0]["body"]
    assert "generation skipped: generation was turned off" in body
    assert "### Run" in body and "Requests:" not in body


def test_shallow_clone_error_reaches_the_job_summary(pr, github, openai_server, tmp_path):
    shallow = tmp_path / "shallow"
    pr.git(pr.tmp, "clone", "-q", "--depth", "1", "--branch", "feature",
           f"file://{pr.origin}", str(shallow))
    pr.work = shallow
    result = run_check(pr, github, openai_server, number=10)
    assert result.returncode == 2
    assert re.search(r"^::error title=sdg-ci::cannot diff the taxonomy: .*fetch-depth",
                     result.stdout, re.M), result.stdout + result.stderr
    assert "## ⛔ sdg-ci: error" in (pr.tmp / "step_summary.md").read_text()
    assert github.requests == []
