"""GitHub publishing against a local stand-in for the REST API (127.0.0.1)."""

import io
import json
import re

import pytest
import samples
from samples import HEAD_SHA, INVALID

from sdg_ci.records.diff import LeafChange
from sdg_ci.report import github
from sdg_ci.report.github import (
    GitHubApiError,
    GitHubClient,
    GitHubEnv,
    add_mask,
    check_annotations,
    marker,
    publish,
    upsert_comment,
    workflow_command,
    write_outputs,
)


def read_outputs(path):
    """Parse a GITHUB_OUTPUT file the way the runner does (name<<DELIM ... DELIM)."""
    values, lines, i = {}, path.read_text().split("\n"), 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line:
            name, delim = line.split("<<", 1)
            j = lines.index(delim, i + 1)
            values[name] = "\n".join(lines[i + 1 : j])
            i = j + 1
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
            i += 1
        else:
            i += 1
    return values


def env_for(fake, tmp_path, **extra) -> GitHubEnv:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({
        "action": "synchronize",
        "number": 7,
        "pull_request": {"number": 7, "head": {"sha": HEAD_SHA, "ref": "feature"},
                         "base": {"sha": "a" * 40, "ref": "main"}},
        "repository": {"full_name": "octo/taxonomy"},
    }))
    environ = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": fake.url if fake else "https://api.github.com",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "octo/taxonomy",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_TOKEN": fake.token if fake else "",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step_summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_RUN_ID": "99",
        "GITHUB_BASE_REF": "main",
    }
    environ.update(extra)
    return GitHubEnv.from_environ(environ)


def fast_client(env):
    return GitHubClient(env.api_url, env.token or "", timeout=5, retries=1, backoff_s=0.01)


# ------------------------------------------------------------------------ environment


def test_env_reads_the_pull_request_event(tmp_path):
    env = env_for(None, tmp_path)
    assert env.actions and env.repository == "octo/taxonomy"
    assert env.pr_number() == 7 and env.head_sha() == HEAD_SHA
    assert env.default_base() == "origin/main"
    info = env.pull_request_info()
    assert info.run_url == "https://github.com/octo/taxonomy/actions/runs/99"
    assert "ghs_" not in repr(env) and "token" not in repr(fast_client(env)).lower()


def test_env_outside_actions_is_empty():
    env = GitHubEnv.from_environ({})
    assert not env.actions and env.pr_number() is None and env.default_base() is None
    assert env.api_url == "https://api.github.com"


def test_env_workflow_run_and_overrides(tmp_path):
    event = tmp_path / "e.json"
    event.write_text(json.dumps({"workflow_run": {"head_sha": "d" * 40,
                                                  "pull_requests": [{"number": 12}]}}))
    env = GitHubEnv.from_environ({"GITHUB_EVENT_PATH": str(event),
                                  "GITHUB_EVENT_NAME": "workflow_run"})
    assert env.pr_number() == 12 and env.head_sha() == "d" * 40
    env = GitHubEnv.from_environ({"GITHUB_EVENT_PATH": str(event), "SDG_CI_PR_NUMBER": "5; rm",
                                  "SDG_CI_HEAD_SHA": "not-a-sha"})
    assert env.pr_number() == 12  # a malformed override is ignored
    assert env.head_sha() == "d" * 40


# --------------------------------------------------------------- workflow commands


def test_workflow_command_cannot_start_another_line():
    line = workflow_command("error", "bad\n::add-mask::x\r\n100%", file="a,b:c.yaml", line=3)
    assert "\n" not in line and "\r" not in line
    assert line == "::error file=a%2Cb%3Ac.yaml,line=3::bad%0A::add-mask::x%0D%0A100%25"


def test_annotations_for_diagnostics_gates_and_notes():
    from sdg_ci.config import GatesConfig, GateSettings

    run = samples.run(samples.leaf(notes=["teacher too weak: 9 of 10 replies did not parse"]))
    changes = [LeafChange(path=samples.SKILL, status="modified"),
               LeafChange(path=INVALID, status="added")]
    validation = [samples.valid_file(samples.SKILL), samples.invalid_file()]
    summary = samples.check(run, validation, changes,
                            gates_config=GatesConfig(default=GateSettings(min_kept_pairs=99)))
    summary.taxonomy = "taxonomy"
    lines = check_annotations(summary)
    assert lines[0] == (
        "::error file=taxonomy/compositional_skills/writing/broken/qna.yaml,line=12,col=3,"
        "title=sdg-ci Q201::Q201 seed_examples has 3 items; at least 5 are required")
    assert lines[1].startswith("::warning file=taxonomy/compositional_skills/writing/broken/"
                               "qna.yaml,line=2,col=1,title=sdg-ci Q301::")
    assert lines[2] == (
        "::error file=taxonomy/compositional_skills/writing/plurals/qna.yaml,line=1,col=1,"
        "title=sdg-ci quality gate min_kept_pairs::taxonomy/"[: -len("taxonomy/")]
        + "compositional_skills/writing/plurals/qna.yaml: 12 pairs kept; at least 99 "
        "required (min_kept_pairs)")
    assert lines[3].startswith("::warning file=taxonomy/compositional_skills/writing/plurals/")
    assert lines[3].endswith("::teacher too weak: 9 of 10 replies did not parse")


def test_outputs_are_multiline_safe(tmp_path):
    out = tmp_path / "out.txt"
    write_outputs(out, {"a": "one", "b": "two\nlines\nb<<EOF"})
    assert read_outputs(out) == {"a": "one", "b": "two\nlines\nb<<EOF"}


def test_add_mask_and_mask_secrets(tmp_path, capsys):
    buf = io.StringIO()
    add_mask("line1\nline2", buf)
    assert buf.getvalue() == "::add-mask::line1\n::add-mask::line2\n"
    env = env_for(None, tmp_path, GITHUB_TOKEN="ghs_secret_value")
    github.mask_secrets(env, {"OPENAI_API_KEY": "sk-abcdef", "EMPTY": ""},
                        ["OPENAI_API_KEY", "EMPTY", "MISSING"])
    out = capsys.readouterr().out
    assert out == "::add-mask::ghs_secret_value\n::add-mask::sk-abcdef\n"
    github.mask_secrets(GitHubEnv.from_environ({"GITHUB_TOKEN": "x" * 10}), {}, [])
    assert capsys.readouterr().out == ""  # not in Actions: nothing printed


# ------------------------------------------------------------------------- the API


def test_comment_created_then_updated_in_place(fake_github, tmp_path):
    env = env_for(fake_github, tmp_path)
    client = fast_client(env)
    mark = marker("")
    first = upsert_comment(client, "octo/taxonomy", 7, mark + "\nfirst", mark)
    assert first.action == "created"
    second = upsert_comment(client, "octo/taxonomy", 7, mark + "\nsecond", mark)
    assert second.action == "updated" and second.id == first.id
    assert [c["body"] for c in fake_github.comments[7]] == [mark + "\nsecond"]
    post = fake_github.calls("POST")[0]
    assert post.path == "/repos/octo/taxonomy/issues/7/comments"
    assert post.headers["authorization"] == f"Bearer {fake_github.token}"
    assert post.headers["x-github-api-version"] == "2022-11-28"
    assert post.headers["accept"] == "application/vnd.github+json"
    assert fake_github.calls("PATCH")[0].path == f"/repos/octo/taxonomy/issues/comments/{first.id}"


def test_listing_is_paginated(fake_github, tmp_path):
    env = env_for(fake_github, tmp_path)
    mark = marker("")
    for i in range(5):
        fake_github.add_comment(7, f"comment {i}")
    ours = fake_github.add_comment(7, mark + "\nold", login="github-actions[bot]",
                                   user_type="Bot")
    result = upsert_comment(fast_client(env), "octo/taxonomy", 7, mark + "\nnew", mark)
    assert result.action == "updated" and result.id == ours["id"]
    listings = [r for r in fake_github.calls("GET") if r.path.endswith("/comments")]
    pages = [r.query.get("page", ["1"])[0] for r in listings]
    assert pages == ["1", "2", "3"]
    assert fake_github.calls("POST") == []


def test_a_planted_marker_is_not_hijacked(fake_github, tmp_path):
    env = env_for(fake_github, tmp_path)
    mark = marker("")
    planted = fake_github.add_comment(7, mark + "\nI planted this", association="CONTRIBUTOR")
    result = upsert_comment(fast_client(env), "octo/taxonomy", 7, mark + "\nreal", mark)
    assert result.action == "created"
    assert planted["body"] == mark + "\nI planted this"
    # the comment of the token's own user (a PAT owned by a maintainer) counts as ours
    fake_github.comments[7].clear()
    fake_github.viewer = "someone"
    mine = fake_github.add_comment(7, mark + "\nold", association="MEMBER")
    assert upsert_comment(fast_client(env), "octo/taxonomy", 7, mark, mark).id == mine["id"]


@pytest.mark.parametrize("login, user_type, association", [
    ("another-bot[bot]", "Bot", "NONE"),  # any other bot or app
    ("maintainer", "User", "MEMBER"),  # a member who is not the token's user
    ("github-actions[bot]", "Bot", "NONE"),  # the Actions bot, when the token is a PAT
])
def test_only_the_tokens_own_comment_is_adopted(fake_github, tmp_path, login, user_type,
                                                association):
    env = env_for(fake_github, tmp_path)
    mark = marker("")
    if login == "github-actions[bot]":
        fake_github.viewer = "ci-user"
    other = fake_github.add_comment(7, mark + "\ntheirs", login=login, user_type=user_type,
                                    association=association)
    result = upsert_comment(fast_client(env), "octo/taxonomy", 7, mark + "\nours", mark)
    assert result.action == "created"
    assert other["body"] == mark + "\ntheirs"
    assert fake_github.calls("PATCH") == []


def test_the_actions_token_adopts_the_actions_bot_comment(fake_github, tmp_path):
    """GITHUB_TOKEN cannot read GET /user (403): it writes as github-actions[bot]."""
    env = env_for(fake_github, tmp_path)
    mark = marker("")
    ours = fake_github.add_comment(7, mark + "\nold", login="github-actions[bot]",
                                   user_type="Bot", association="NONE")
    result = upsert_comment(fast_client(env), "octo/taxonomy", 7, mark + "\nnew", mark)
    assert (result.action, result.id) == ("updated", ours["id"])
    assert [r.path for r in fake_github.calls("GET")][0] == "/user"


def test_markers_are_per_taxonomy():
    assert marker("") == "<!-- sdg-ci:pr-summary -->"
    assert marker("data/taxonomy") == "<!-- sdg-ci:pr-summary:data/taxonomy -->"
    assert marker("a -- b-->") == "<!-- sdg-ci:pr-summary:a_b -->"


def test_token_goes_only_to_the_api_origin():
    client = GitHubClient("https://api.github.com", "ghs_secret")
    with pytest.raises(GitHubApiError, match="refusing to send the token"):
        client._url("https://evil.example/repos")
    with pytest.raises(GitHubApiError):
        client._url("http://api.github.com/repos")  # scheme downgrade
    assert client._url("/repos/a/b") == "https://api.github.com/repos/a/b"


def test_bad_repository_name_is_refused(fake_github, tmp_path):
    client = fast_client(env_for(fake_github, tmp_path))
    with pytest.raises(GitHubApiError, match="not a repository name"):
        upsert_comment(client, "../../x", 7, "b", "m")


def test_wrong_token_is_an_api_error_without_the_token(fake_github, tmp_path):
    client = GitHubClient(fake_github.url, "wrong-token-value", retries=0)
    with pytest.raises(GitHubApiError) as info:
        list(client.paginate("/repos/octo/taxonomy/issues/7/comments"))
    assert info.value.status == 401 and "wrong-token-value" not in str(info.value)


def test_server_errors_are_retried(fake_github, tmp_path):
    fake_github.fail["GET"] = 500
    client = fast_client(env_for(fake_github, tmp_path))
    with pytest.raises(GitHubApiError, match="HTTP 500"):
        list(client.paginate("/repos/octo/taxonomy/issues/7/comments"))
    assert len(fake_github.calls("GET")) == 2  # one retry


def test_unreachable_api_is_an_api_error():
    client = GitHubClient("http://127.0.0.1:9", "t", timeout=2, retries=0)
    with pytest.raises(GitHubApiError, match="cannot reach"):
        client.request("GET", "/x")


# ---------------------------------------------------------------------- publishing


def test_publish_everything(fake_github, tmp_path):
    env = env_for(fake_github, tmp_path)
    summary = samples.check()
    out = io.StringIO()
    done = publish(summary, "## ✅ sdg-ci: passed\n", env, out=out, client=fast_client(env))
    assert done[0].startswith("PR comment created: https://github.example/pr/7")
    body = fake_github.comments[7][0]["body"]
    assert body.startswith("<!-- sdg-ci:pr-summary -->\n## ✅ sdg-ci: passed")
    assert (tmp_path / "step_summary.md").read_text() == "## ✅ sdg-ci: passed\n\n"
    outputs = read_outputs(tmp_path / "output.txt")
    assert outputs["verdict"] == "pass"
    assert json.loads(outputs["changed-leaves"]) == [samples.SKILL]
    assert outputs["kept-pairs"] == "12"
    assert outputs["summary-path"] == "/tmp/out/summary.md"
    assert fake_github.token not in out.getvalue()


@pytest.mark.parametrize("status", [403, 404])
def test_read_only_token_falls_back_to_the_job_summary(fake_github, tmp_path, status, capsys):
    fake_github.fail["POST"] = status
    env = env_for(fake_github, tmp_path)
    summary = samples.check()
    out = io.StringIO()
    done = publish(summary, "## ✅ sdg-ci: passed\n", env, out=out, client=fast_client(env))
    assert not any(d.startswith("PR comment") for d in done)
    log = out.getvalue()
    assert re.search(rf"^::notice title=sdg-ci::could not post the PR comment \(HTTP {status}",
                     log, re.M)
    assert "the report is in the job summary" in log
    step = (tmp_path / "step_summary.md").read_text()
    assert step.startswith("> [!NOTE]\n> could not post the PR comment")
    assert "## ✅ sdg-ci: passed" in step
    assert read_outputs(tmp_path / "output.txt")["verdict"] == "pass"
    assert fake_github.token not in log + capsys.readouterr().out


def test_publish_without_token_or_pr_says_so(tmp_path):
    env = env_for(None, tmp_path, GITHUB_TOKEN="")
    out = io.StringIO()
    publish(samples.check(), "x\n", env, comment=True, out=out)
    assert "::notice title=sdg-ci::no PR comment: missing a token (GITHUB_TOKEN)" in out.getvalue()


def test_no_comment_outside_a_pull_request(tmp_path, fake_github):
    env = env_for(fake_github, tmp_path)
    env.event = {}
    publish(samples.check(), "x\n", env, out=io.StringIO(), client=fast_client(env))
    assert fake_github.requests == []  # push events and local runs do not comment
    publish(samples.check(), "x\n", env, comment=False, out=io.StringIO())
    assert fake_github.requests == []


def test_a_check_that_cannot_run_says_why_in_the_job_summary(tmp_path):
    env = env_for(None, tmp_path)
    out = io.StringIO()
    github.publish_failure(env, "cannot diff: shallow clone; set fetch-depth: 0", out=out)
    assert out.getvalue() == "::error title=sdg-ci::cannot diff: shallow clone; set " \
                             "fetch-depth: 0\n"
    assert (tmp_path / "step_summary.md").read_text().startswith("## ⛔ sdg-ci: error\n\n"
                                                                 "cannot diff\\: shallow")
    quiet = io.StringIO()
    github.publish_failure(GitHubEnv.from_environ({}), "x", out=quiet)
    assert quiet.getvalue() == ""


# ------------------------------------------------- a pull request number from an input


def workflow_run_env(fake, tmp_path, number="9", head=HEAD_SHA) -> GitHubEnv:
    """The example privileged workflow: a workflow_run event (no PR in the payload for a
    fork), the number read from the PR run's artifact, the head from the event."""
    event = tmp_path / "workflow_run.json"
    event.write_text(json.dumps({"workflow_run": {"head_sha": head, "pull_requests": []}}))
    return env_for(fake, tmp_path, GITHUB_EVENT_NAME="workflow_run",
                   GITHUB_EVENT_PATH=str(event), SDG_CI_PR_NUMBER=number,
                   SDG_CI_HEAD_SHA=head, GITHUB_BASE_REF="")


def test_an_input_pr_number_is_checked_against_the_head(fake_github, tmp_path):
    fake_github.pulls[9] = HEAD_SHA
    env = workflow_run_env(fake_github, tmp_path)
    assert env.pr_number() == 9 and env.pr_number_from_input()
    summary = samples.check()
    summary.pull_request = env.pull_request_info()
    done = publish(summary, "x\n", env, out=io.StringIO(), client=fast_client(env))
    assert done[0].startswith("PR comment created")
    assert fake_github.calls("GET")[0].path == "/repos/octo/taxonomy/pulls/9"


@pytest.mark.parametrize("pulls", [{9: "d" * 40}, {}])  # another head; no such PR
def test_an_input_pr_number_naming_another_pr_writes_nothing(fake_github, tmp_path, pulls):
    fake_github.pulls.update(pulls)
    other = fake_github.add_comment(9, marker("") + "\nanother PR's summary",
                                    login="github-actions[bot]", user_type="Bot")
    env = workflow_run_env(fake_github, tmp_path)
    summary = samples.check()
    summary.pull_request = env.pull_request_info()
    out = io.StringIO()
    done = publish(summary, "## report\n", env, out=out, client=fast_client(env))
    assert not any(d.startswith("PR comment") for d in done)
    assert fake_github.calls("POST") == [] and fake_github.calls("PATCH") == []
    assert other["body"].endswith("another PR's summary")
    assert re.search(r"^::notice title=sdg-ci::not posting the PR comment: .*PR #9", out.getvalue(),
                     re.M)
    step = (tmp_path / "step_summary.md").read_text()
    assert step.startswith("> [!NOTE]\n> not posting the PR comment") and "## report" in step


def test_the_events_own_pr_number_needs_no_check(fake_github, tmp_path):
    env = env_for(fake_github, tmp_path, SDG_CI_PR_NUMBER="7")
    assert env.pr_number() == 7 and not env.pr_number_from_input()
    publish(samples.check(), "x\n", env, out=io.StringIO(), client=fast_client(env))
    assert not any("/pulls/" in r.path for r in fake_github.requests)
    assert len(fake_github.calls("POST")) == 1
