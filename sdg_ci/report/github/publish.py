"""Publishing a finished check where it runs: annotations, the PR comment, the job summary
(`GITHUB_STEP_SUMMARY`) and the step outputs (`GITHUB_OUTPUT`).

A read-only token (fork PRs: HTTP 403) or a missing PR (404) is not a failure: the job
summary carries the report and a notice says why. Nothing here fails the check.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from sdg_ci.records.check import CheckSummary
from sdg_ci.report.escape import inline, plain
from sdg_ci.report.github.commands import annotation, write_outputs
from sdg_ci.report.github.comment import (
    comment_body,
    marker,
    pr_head_mismatch,
    upsert_comment,
)
from sdg_ci.report.github.env import GitHubEnv
from sdg_ci.report.github.rest import GitHubApiError, GitHubClient


def check_annotations(summary: CheckSummary) -> list[str]:
    """The annotation lines for a check: validation diagnostics, gate failures, notes."""
    lines = []
    for f in summary.validation:
        for d in [*f.errors, *f.warnings]:
            lines.append(
                annotation(
                    "error" if d.severity == "error" else "warning",
                    plain(f"{d.code} {d.message}", 2000),
                    file=summary.repo_path(f.path),
                    line=max(1, d.line),
                    col=max(1, d.column),
                    title=f"sdg-ci {d.code}",
                )
            )
    for g in summary.gate_failures:
        lines.append(
            annotation(
                "error",
                plain(g.message, 2000),
                file=summary.repo_path(g.leaf),
                line=1,
                col=1,
                title=f"sdg-ci quality gate {g.gate}",
            )
        )
    if summary.generation is not None:
        for leaf in summary.generation.leaves:
            for note in leaf.notes:
                lines.append(
                    annotation(
                        "warning",
                        plain(note, 2000),
                        file=summary.repo_path(leaf.path),
                        line=1,
                        col=1,
                        title="sdg-ci generation",
                    )
                )
    if summary.generation_error:
        lines.append(
            annotation("error", plain(f"generation failed: {summary.generation_error}", 2000))
        )
    return lines


def check_outputs(summary: CheckSummary) -> dict[str, str]:
    out = Path(summary.out_dir)
    return {
        "verdict": summary.verdict,
        "changed-leaves": json.dumps(summary.changed_leaves),
        "changed-count": str(len(summary.changed_leaves)),
        "deleted-leaves": json.dumps(
            sorted(c.path for c in summary.changes if c.status == "deleted")
        ),
        "invalid-leaves": json.dumps(sorted(f.path for f in summary.invalid_files)),
        "kept-pairs": str(summary.pairs_kept),
        "summary-path": str(out / "summary.md"),
        "summary-json": str(out / "summary.json"),
        "check-json": str(out / "check.json"),
        "out-dir": str(out),
    }


def _say(env: GitHubEnv, level: str, message: str, out: TextIO) -> None:
    if env.actions:
        out.write(annotation(level, message, title="sdg-ci") + "\n")
    else:
        print(f"sdg-ci: {level}: {message}", file=sys.stderr)


def publish(
    summary: CheckSummary,
    markdown: str,
    env: GitHubEnv,
    comment: bool | None = None,
    out: TextIO | None = None,
    client: GitHubClient | None = None,
) -> list[str]:
    """Publish a check where it runs; returns one line per place it went.

    `comment`: True always tries, False never, None tries on a pull request in Actions.
    Nothing here fails the check: problems become notices and the job summary.
    """
    out = out or sys.stdout
    done: list[str] = []
    fallback_note = None
    if env.actions:
        for line in check_annotations(summary):
            out.write(line + "\n")
        out.flush()
    want_comment = comment if comment is not None else (env.actions and env.pr_number() is not None)
    if want_comment:
        posted, fallback_note = _post_comment(summary, markdown, env, client)
        if posted:
            done.append(posted)
        else:
            _say(env, fallback_note[0], fallback_note[1], out)
    note = fallback_note[1] if fallback_note else None
    if env.step_summary is not None:
        _write_step_summary(env, markdown, note, out, done)
    if env.output is not None:
        try:
            write_outputs(env.output, check_outputs(summary))
            done.append(f"step outputs: {env.output}")
        except OSError as exc:
            _say(env, "warning", f"cannot write the step outputs: {exc}", out)
    out.flush()
    return done


def _post_comment(
    summary: CheckSummary, markdown: str, env: GitHubEnv, client: GitHubClient | None
) -> tuple[str | None, tuple[str, str] | None]:
    """Create or update the PR comment: (what was done, None), or (None, (level, why not))."""
    number = summary.pull_request.number or env.pr_number()
    missing = [
        what
        for what, ok in (
            ("a pull request number", number),
            ("GITHUB_REPOSITORY", env.repository),
            ("a token (GITHUB_TOKEN)", env.token),
        )
        if not ok
    ]
    if missing:
        return None, ("notice", f"no PR comment: missing {', '.join(missing)}")
    assert number is not None and env.repository is not None
    api = client or GitHubClient(env.api_url, env.token or "")
    if env.pr_number_from_input():
        refusal = pr_head_mismatch(api, env.repository, number, summary.pull_request.head_sha)
        if refusal:
            return None, ("notice", f"not posting the PR comment: {refusal}; the report is "
                          "in the job summary")
    mark = marker(summary.taxonomy)
    try:
        result = upsert_comment(api, env.repository, number, comment_body(markdown, mark), mark)
    except GitHubApiError as exc:
        if exc.status in (403, 404):
            why = (
                "the token cannot write to this pull request (a fork's read-only token?)"
                if exc.status == 403
                else "the pull request or repository was not found"
            )
        else:
            why = "the GitHub API call failed"
        level = "notice" if exc.status in (403, 404) else "warning"
        return None, (level, f"could not post the PR comment ({exc}): {why}; "
                      "the report is in the job summary")
    return f"PR comment {result.action}: {result.url or result.id}", None


def _write_step_summary(
    env: GitHubEnv, markdown: str, note: str | None, out: TextIO, done: list[str]
) -> None:
    """Append the report to the job summary, after a note on why there is no comment."""
    assert env.step_summary is not None
    text = f"> [!NOTE]\n> {inline(note, 500)}\n\n{markdown}" if note else markdown
    try:
        with env.step_summary.open("a", encoding="utf-8") as fh:
            fh.write(text.rstrip("\n") + "\n\n")
        done.append(f"job summary: {env.step_summary}")
    except OSError as exc:
        _say(env, "warning", f"cannot write the job summary: {exc}", out)


def publish_failure(env: GitHubEnv, message: str, out: TextIO | None = None) -> None:
    """When the check cannot run at all (e.g. a shallow clone): an error annotation and a
    job summary that says what to do, so the reason is not only in the log. Actions only."""
    if not env.actions:
        return
    out = out or sys.stdout
    out.write(annotation("error", plain(message, 2000), title="sdg-ci") + "\n")
    out.flush()
    if env.step_summary is not None:
        try:
            with env.step_summary.open("a", encoding="utf-8") as fh:
                fh.write(f"## ⛔ sdg-ci: error\n\n{inline(message, 2000)}\n\n")
        except OSError:
            pass
