"""The pull-request check: diff → validate changed leaves → generate for the valid ones →
quality gates → summary → publish.

`run_check()` is the one function the CLI (`sdg-ci check`), the GitHub Action and the demo
call. It never raises for what it finds in the taxonomy: invalid leaves are reported and
skipped by generation, the rest still run, and the verdict says what failed. The record of
a check is `CheckSummary` (written as `check.json` beside the generation's `summary.json`),
which embeds the generation's `RunSummary` unchanged.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from sdg_ci import __version__
from sdg_ci.config import Config, GatesConfig
from sdg_ci.diagnostics import Diagnostic, FileResult
from sdg_ci.errors import SdgCiError
from sdg_ci.gitcmd import user_repo_git_text
from sdg_ci.records.run import RunSummary
from sdg_ci.report.gates import GateResult

CHECK_FILE = "check.json"
SUMMARY_MD = "summary.md"
SUMMARY_JSON = "summary.json"


class LeafChangeInfo(BaseModel):
    path: str
    status: str  # added | modified | renamed | deleted
    old_path: str | None = None
    reasons: list[str] = Field(default_factory=list)


class FileValidation(BaseModel):
    path: str
    valid: bool
    errors: list[Diagnostic] = Field(default_factory=list)
    warnings: list[Diagnostic] = Field(default_factory=list)

    @classmethod
    def from_result(cls, result: FileResult) -> FileValidation:
        return cls(
            path=result.path,
            valid=result.valid,
            errors=list(result.errors),
            warnings=list(result.warnings),
        )


class PullRequestInfo(BaseModel):
    """Where the check ran, for links: all optional outside GitHub Actions."""

    server_url: str = "https://github.com"
    repository: str | None = None  # owner/name
    number: int | None = None
    head_sha: str | None = None  # the PR head commit: file:line links point here
    base_ref: str | None = None
    run_url: str | None = None


class CheckSummary(BaseModel):
    """Everything one `sdg-ci check` found; the renderer's and publisher's only input."""

    schema_version: int = 1
    tool_version: str = __version__
    verdict: Literal["pass", "fail", "error"] = "pass"
    problems: list[str] = Field(default_factory=list)  # one line each, for the verdict
    taxonomy: str = ""  # taxonomy root relative to the git top level ("" = the top level)
    base: str = ""
    merge_base: str = ""
    head: str = ""
    changes: list[LeafChangeInfo] = Field(default_factory=list)
    validation: list[FileValidation] = Field(default_factory=list)
    generation: RunSummary | None = None
    generation_skipped: str | None = None  # why generation did not run, when it did not
    generation_error: str | None = None
    gates: list[GateResult] = Field(default_factory=list)
    pull_request: PullRequestInfo = Field(default_factory=PullRequestInfo)
    out_dir: str = ""
    reproduce: str = ""
    wall_s: float = 0.0

    @property
    def invalid_files(self) -> list[FileValidation]:
        return [f for f in self.validation if not f.valid]

    @property
    def gate_failures(self) -> list[GateResult]:
        return [g for g in self.gates if not g.passed]

    @property
    def pairs_kept(self) -> int:
        return self.generation.pairs_kept if self.generation else 0

    @property
    def changed_leaves(self) -> list[str]:
        """Changed leaves that still exist (not deleted), sorted."""
        return sorted(c.path for c in self.changes if c.status != "deleted")

    def repo_path(self, path: str) -> str:
        """A taxonomy-relative path as a path relative to the repository root."""
        return f"{self.taxonomy.strip('/')}/{path}" if self.taxonomy.strip("/") else path


@dataclass
class CheckOptions:
    base: str | None = None
    out_dir: Path = Path("sdg-ci-out")
    generate: bool = True
    comment: bool | None = None  # None: comment when running on a pull request in Actions
    config_path: Path | None = None
    gates_path: Path | None = None
    teacher_url: str | None = None
    teacher_model: str | None = None
    critic_url: str | None = None
    critic_model: str | None = None
    scale: str | None = None
    progress: bool = True
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


@dataclass
class CheckOutcome:
    summary: CheckSummary
    markdown: str
    exit_code: int
    published: list[str] = field(default_factory=list)  # human lines: where it went


# ---------------------------------------------------------------------------- config


def load_gates(path: Path) -> GatesConfig:
    """A gates file: either a whole `.sdg-ci.yaml` (its `gates:` section) or just the
    section (`default:` / `subtrees:`)."""
    import yaml
    from pydantic import ValidationError

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SdgCiError(f"{path}: cannot read the gates config: {exc}") from exc
    if not isinstance(data, dict):
        raise SdgCiError(f"{path}: the top level must be a mapping")
    if "gates" in data:
        data = data["gates"] or {}
    try:
        return GatesConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SdgCiError(f"{path}: gates.{where}: {first['msg']}") from exc


def effective_config(root: Path, options: CheckOptions) -> Config:
    """`.sdg-ci.yaml` (or `--config`), then the command-line overrides."""
    from sdg_ci.config import ModelEndpoint, load_config

    config = load_config(root, options.config_path)
    gen = config.generate
    if options.teacher_url or options.teacher_model:
        gen.teacher = gen.teacher.model_copy(
            update={
                k: v
                for k, v in (("url", options.teacher_url), ("model", options.teacher_model))
                if v
            }
        )
    if options.critic_url or options.critic_model:
        base = gen.critic or ModelEndpoint(**gen.teacher.model_dump(exclude={"url", "model"}))
        critic = base.model_copy(
            update={
                k: v for k, v in (("url", options.critic_url), ("model", options.critic_model)) if v
            }
        )
        if critic.url is None and gen.teacher.url:
            critic = critic.model_copy(update={"url": gen.teacher.url})
        gen.critic = critic
    if options.scale:
        gen.scale = options.scale  # type: ignore[assignment]
    if options.gates_path:
        config.gates = load_gates(options.gates_path)
    return config


# ----------------------------------------------------------------------------- steps


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


def _diff(root: Path, base: str | None, environ: Mapping[str, str]):
    from sdg_ci.taxonomy.gitdiff import diff_taxonomy

    return diff_taxonomy(root, base, env=environ)


def _validate(root: Path, files: list[str], config: Config) -> list[FileResult]:
    from sdg_ci.validate import validate

    return list(validate(files, root=root, settings=config.validate_))


def _generate(
    root: Path,
    leaf_files: list[str],
    config: Config,
    out_dir: Path,
    statuses: dict[str, str],
    progress: bool,
) -> RunSummary:
    from sdg_ci.generate.runner import generate

    return generate(root, leaf_files, config, out_dir, statuses=statuses, progress=progress)


def _reproduce_line(summary: CheckSummary, options: CheckOptions) -> str:
    from sdg_ci.generate.model.endpoint import public_url

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
    for flag, value in (
        ("--teacher-url", options.teacher_url),
        ("--teacher-model", options.teacher_model),
        ("--critic-url", options.critic_url),
        ("--critic-model", options.critic_model),
        ("--scale", options.scale if options.scale and options.scale != "preview" else None),
    ):
        if value and options.generate:
            parts += [flag, public_url(value) if flag.endswith("-url") else value]
    parts.append("--no-comment")
    line = " ".join(_shell_quote(p) for p in parts)
    if summary.pull_request.number:
        n = summary.pull_request.number
        line = f"git fetch origin pull/{n}/head:pr-{n} && git checkout pr-{n} && {line}"
    return line


def _shell_quote(s: str) -> str:
    import shlex

    return shlex.quote(s)


# ------------------------------------------------------------------------ the check


def run_check(root: Path, options: CheckOptions) -> CheckOutcome:
    """Run the whole check on the taxonomy at `root` and publish what it found."""
    from sdg_ci.report import github
    from sdg_ci.report.gates import evaluate
    from sdg_ci.report.render import render

    started = time.monotonic()
    root = root.resolve()
    env = github.GitHubEnv.from_environ(options.environ)
    github.mask_secrets(env, options.environ, _secret_env_names(root, options))
    config = effective_config(root, options)
    out_dir = options.out_dir if options.out_dir.is_absolute() else Path.cwd() / options.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)

    summary = CheckSummary(
        taxonomy=taxonomy_prefix(root),
        pull_request=env.pull_request_info(),
        out_dir=str(out_dir),
    )

    # 1. what changed
    try:
        diff = _diff(root, options.base or env.default_base(), options.environ)
    except SdgCiError as exc:
        github.publish_failure(env, f"cannot diff the taxonomy: {exc}")
        raise
    summary.base = str(getattr(diff, "base", "") or "")
    summary.merge_base = str(getattr(diff, "merge_base", "") or "")
    summary.head = str(getattr(diff, "head", "") or "")
    summary.changes = [
        LeafChangeInfo(
            path=c.path,
            status=str(getattr(c.status, "value", c.status)),
            old_path=getattr(c, "old_path", None),
            reasons=list(getattr(c, "reasons", []) or []),
        )
        for c in diff.leaves
    ]
    if not summary.pull_request.head_sha and summary.head:
        summary.pull_request.head_sha = summary.head

    # 2. validate what still exists, and the misnamed look-alikes (validation says why)
    present = summary.changed_leaves
    misnamed = sorted(
        m.path for m in getattr(diff, "misnamed", []) if getattr(m, "status", "") != "deleted"
    )
    to_check = sorted(set(present) | set(misnamed))
    results = _validate(root, to_check, config) if to_check else []
    summary.validation = [FileValidation.from_result(r) for r in results]
    invalid = {f.path for f in summary.invalid_files}

    # 3. generate for the valid ones
    valid = [p for p in present if p not in invalid and _is_leaf(p)]
    statuses = {c.path: c.status for c in summary.changes if c.path in valid}
    if not options.generate:
        summary.generation_skipped = "generation was turned off (--no-generate)"
    elif not valid:
        summary.generation_skipped = (
            "no valid changed leaf to generate for" if to_check else "no leaf changed"
        )
    else:
        try:
            summary.generation = _generate(
                root, valid, config, out_dir, statuses, options.progress
            )
        except SdgCiError as exc:
            summary.generation_error = str(exc)

    # 4. quality gates
    if summary.generation is not None:
        summary.gates = evaluate(summary.generation, config.gates)

    # 5. verdict
    summary.problems = _problems(summary)
    if summary.generation_error:
        summary.verdict = "error"
    elif summary.problems:
        summary.verdict = "fail"
    summary.reproduce = _reproduce_line(summary, options)
    summary.wall_s = round(time.monotonic() - started, 3)

    # 6. write and publish
    markdown = render(summary)
    (out_dir / SUMMARY_MD).write_text(markdown, encoding="utf-8")
    (out_dir / CHECK_FILE).write_text(summary.model_dump_json(indent=2), encoding="utf-8")
    if summary.generation is not None and not (out_dir / SUMMARY_JSON).exists():
        (out_dir / SUMMARY_JSON).write_text(
            summary.generation.model_dump_json(indent=2), encoding="utf-8"
        )
    published = github.publish(summary, markdown, env, comment=options.comment)

    code = 0
    if summary.verdict == "fail":
        code = 1
    elif summary.verdict == "error":
        code = 2
    return CheckOutcome(summary=summary, markdown=markdown, exit_code=code, published=published)


def _is_leaf(path: str) -> bool:
    from sdg_ci.taxonomy.leaf import is_leaf_path

    return is_leaf_path(path)


def _problems(summary: CheckSummary) -> list[str]:
    problems = []
    invalid = summary.invalid_files
    if invalid:
        n = len(invalid)
        problems.append(f"{n} invalid leaf file{'s' if n != 1 else ''}")
    failed = summary.gate_failures
    if failed:
        leaves = len({g.leaf for g in failed})
        problems.append(
            f"{len(failed)} quality gate{'s' if len(failed) != 1 else ''} failed "
            f"on {leaves} lea{'ves' if leaves != 1 else 'f'}"
        )
    if summary.generation_error:
        problems.append(f"generation failed: {summary.generation_error}")
    return problems


def _secret_env_names(root: Path, options: CheckOptions) -> list[str]:
    """Environment variables holding model API keys (their values get masked)."""
    names = {"OPENAI_API_KEY", "SDG_CI_API_KEY"}
    try:
        from sdg_ci.config import load_config

        gen = load_config(root, options.config_path).generate
        names.add(gen.teacher.api_key_env)
        if gen.critic is not None:
            names.add(gen.critic.api_key_env)
    except SdgCiError:
        pass
    return sorted(names)
