"""The pull-request check: diff → validate changed leaves → generate for the valid ones →
quality gates → verdict → files. Publishing is a separate step (`publish_check`).

`run_check()` is the one function the CLI (`sdg-ci check`), the GitHub Action (through the
CLI) and the demo run. It never raises for what it finds in the taxonomy: invalid leaves are
reported and skipped by generation, the rest still run, and the verdict says what failed.
Its record is `CheckSummary` (sdg_ci/records/check.py, written as `check.json` beside the
generation's `summary.json`); see docs/architecture.md for the data flow.
"""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sdg_ci.config import Config
from sdg_ci.diagnostics import FileResult
from sdg_ci.errors import SdgCiError
from sdg_ci.generate.model.endpoint import public_url
from sdg_ci.generate.runner import generate
from sdg_ci.gitcmd import user_repo_git_text
from sdg_ci.outdir import run_lock, write_text_atomic
from sdg_ci.records.check import CheckSummary, PullRequestInfo, check_problems
from sdg_ci.report.gates import evaluate
from sdg_ci.report.github import GitHubEnv, publish, publish_failure
from sdg_ci.report.projection import projections
from sdg_ci.report.render import render
from sdg_ci.settings import ModelOverrides, load_settings
from sdg_ci.taxonomy.gitdiff import DiffResult, diff_taxonomy
from sdg_ci.taxonomy.leaf import find_leaf_files, is_leaf_path
from sdg_ci.validate import validate

__all__ = [
    "CHECK_FILE",
    "SUMMARY_JSON",
    "SUMMARY_MD",
    "CheckDiffError",
    "CheckOptions",
    "CheckOutcome",
    "CheckSummary",
    "PullRequestInfo",
    "publish_check",
    "run_check",
]

CHECK_FILE = "check.json"
SUMMARY_MD = "summary.md"
SUMMARY_JSON = "summary.json"


@dataclass(frozen=True)
class CheckOptions:
    """What one check run is asked to do (the CLI builds it from its flags)."""

    base: str | None = None
    out_dir: Path = Path("sdg-ci-out")
    generate: bool = True
    config_path: Path | None = None
    gates_path: Path | None = None
    models: ModelOverrides = field(default_factory=ModelOverrides)
    progress: bool = True
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


@dataclass
class CheckOutcome:
    summary: CheckSummary
    markdown: str
    exit_code: int


class CheckDiffError(SdgCiError):
    """The check cannot run at all: the taxonomy cannot be diffed (e.g. a shallow clone).

    The message is the diff's own; `reason` is the line the publisher shows."""

    @property
    def reason(self) -> str:
        return f"cannot diff the taxonomy: {self}"


# ------------------------------------------------------------------------ the check


def run_check(root: Path, options: CheckOptions, github: GitHubEnv | None = None) -> CheckOutcome:
    """Run the whole check on the taxonomy at `root`; write summary.md and check.json.

    `github` is where the check runs (default: read from `options.environ`); it gives the
    pull request's base, number and head for links. Nothing is published here."""
    started = time.monotonic()
    root = root.resolve()
    github = github or GitHubEnv.from_environ(options.environ)
    config = load_settings(root, options.config_path, options.models, options.gates_path)
    out_dir = _out_dir(options.out_dir)
    summary = CheckSummary(
        taxonomy=taxonomy_prefix(root),
        pull_request=github.pull_request_info(),
        out_dir=str(out_dir),
    )
    with run_lock(out_dir, "check"):
        diff = _diff(root, options.base or github.default_base(), options.environ)
        _record_diff(summary, diff)
        to_check = _files_to_validate(summary, diff)
        summary.validation = _validate(root, to_check, config)
        _generate(summary, root, config, out_dir, options, anything_checked=bool(to_check))
        if summary.generation is not None:
            summary.gates = evaluate(summary.generation, config.gates)
            summary.projections = projections(summary.generation, config, find_leaf_files(root))
        _decide(summary, options, started)
        markdown = render(summary)
        _write_files(out_dir, summary, markdown)
    return CheckOutcome(summary=summary, markdown=markdown, exit_code=_exit_code(summary))


def publish_check(
    outcome: CheckOutcome, github: GitHubEnv, comment: bool | None = None
) -> list[str]:
    """Publish a finished check where it runs (annotations, PR comment, job summary, step
    outputs); one human line per place it went. `comment`: see `report.github.publish`."""
    return publish(outcome.summary, outcome.markdown, github, comment=comment)


def publish_check_failure(github: GitHubEnv, error: CheckDiffError) -> None:
    """A check that could not run: an error annotation and job summary (Actions only)."""
    publish_failure(github, error.reason)


# ----------------------------------------------------------------------------- steps


def _out_dir(out_dir: Path) -> Path:
    out = out_dir if out_dir.is_absolute() else Path.cwd() / out_dir
    out.mkdir(parents=True, exist_ok=True)
    return out


def _diff(root: Path, base: str | None, environ: Mapping[str, str]) -> DiffResult:
    try:
        return diff_taxonomy(root, base, env=environ)
    except SdgCiError as exc:
        raise CheckDiffError(str(exc)) from exc


def _record_diff(summary: CheckSummary, diff: DiffResult) -> None:
    """The compared commits and the changed leaves; the head is the link target when the
    event did not name one."""
    summary.base = str(diff.base or "")
    summary.merge_base = str(diff.merge_base or "")
    summary.head = str(diff.head or "")
    summary.changes = list(diff.leaves)
    if not summary.pull_request.head_sha and summary.head:
        summary.pull_request.head_sha = summary.head


def _files_to_validate(summary: CheckSummary, diff: DiffResult) -> list[str]:
    """What still exists, and the misnamed look-alikes (validation says why)."""
    misnamed = {m.path for m in diff.misnamed if m.status != "deleted"}
    return sorted(set(summary.changed_leaves) | misnamed)


def _validate(root: Path, files: list[str], config: Config) -> list[FileResult]:
    if not files:
        return []
    return list(validate(files, root=root, settings=config.validate_))


def _generate(
    summary: CheckSummary,
    root: Path,
    config: Config,
    out_dir: Path,
    options: CheckOptions,
    anything_checked: bool,
) -> None:
    """Generate for the valid changed leaves, or say why not."""
    invalid = {f.path for f in summary.invalid_files}
    valid = [p for p in summary.changed_leaves if p not in invalid and is_leaf_path(p)]
    statuses = {c.path: c.status for c in summary.changes if c.path in valid}
    if not options.generate:
        summary.generation_skipped = "generation was turned off (--no-generate)"
    elif not valid:
        summary.generation_skipped = (
            "no valid changed leaf to generate for" if anything_checked else "no leaf changed"
        )
    else:
        try:
            summary.generation = generate(
                root, valid, config, out_dir, statuses=statuses, progress=options.progress,
                environ=options.environ,
            )
        except SdgCiError as exc:
            summary.generation_error = str(exc)


def _decide(summary: CheckSummary, options: CheckOptions, started: float) -> None:
    """The verdict, its reasons, the reproduce line and the wall time."""
    summary.problems = check_problems(summary)
    if summary.generation_error:
        summary.verdict = "error"
    elif summary.problems:
        summary.verdict = "fail"
    summary.reproduce = _reproduce_line(summary, options)
    summary.wall_s = round(time.monotonic() - started, 3)


def _write_files(out_dir: Path, summary: CheckSummary, markdown: str) -> None:
    write_text_atomic(out_dir / SUMMARY_MD, markdown)
    write_text_atomic(out_dir / CHECK_FILE, summary.model_dump_json(indent=2))
    if summary.generation is not None and not (out_dir / SUMMARY_JSON).exists():
        write_text_atomic(out_dir / SUMMARY_JSON, summary.generation.model_dump_json(indent=2))


def _exit_code(summary: CheckSummary) -> int:
    return {"fail": 1, "error": 2}.get(summary.verdict, 0)


def _reproduce_line(summary: CheckSummary, options: CheckOptions) -> str:
    """The command that runs this check again locally (URLs without credentials)."""
    parts = ["sdg-ci"]
    if summary.taxonomy:
        parts += ["-C", summary.taxonomy]
    parts.append("check")
    base = options.base or (
        f"origin/{summary.pull_request.base_ref}" if summary.pull_request.base_ref else ""
    )
    if base:
        parts += ["--base", base]
    if not options.generate:
        parts.append("--no-generate")
    scale = options.models.scale
    for flag, value in [
        *options.models.flags(),
        ("--scale", scale if scale and scale != "preview" else None),
    ]:
        if value and options.generate:
            parts += [flag, public_url(value) if flag.endswith("-url") else value]
    parts.append("--no-comment")
    line = " ".join(shlex.quote(p) for p in parts)
    if summary.pull_request.number:
        n = summary.pull_request.number
        line = f"git fetch origin pull/{n}/head:pr-{n} && git checkout pr-{n} && {line}"
    return line


# ------------------------------------------------------------------------------- git


def taxonomy_prefix(root: Path) -> str:
    """The taxonomy root relative to its git repository's top level ("" when the same)."""
    top = user_repo_git_text(root, "rev-parse", "--show-toplevel")
    if not top:
        return ""
    try:
        rel = root.resolve().relative_to(Path(top).resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel
