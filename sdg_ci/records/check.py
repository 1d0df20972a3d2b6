"""The check record: everything one `sdg-ci check` found (written as `check.json`).

The orchestrator (`sdg_ci.check`) fills it; the report layer renders and publishes it. It
holds the validation's `FileResult` and the diff's `LeafChange` themselves, and embeds the
generation's `RunSummary` unchanged. Add fields; never rename or remove one.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from pydantic import BaseModel, Field, field_serializer

from sdg_ci import __version__
from sdg_ci.diagnostics import FileResult
from sdg_ci.records.diff import LeafChange
from sdg_ci.records.gates import GateResult
from sdg_ci.records.run import RunSummary


class PullRequestInfo(BaseModel):
    """Where the check ran, for links: all optional outside GitHub Actions."""

    server_url: str = "https://github.com"
    repository: str | None = None  # owner/name
    number: int | None = None
    head_sha: str | None = None  # the PR head commit: file:line links point here
    base_ref: str | None = None
    run_url: str | None = None


def file_result_json(result: FileResult) -> dict[str, Any]:
    """A file's validation as check.json holds it: `valid` spelled out, and each
    diagnostic with its severity (unlike `FileResult.to_json`, the validate contract)."""
    return {
        "path": result.path,
        "valid": result.valid,
        "errors": [asdict(d) for d in result.errors],
        "warnings": [asdict(d) for d in result.warnings],
    }


class LeafProjection(BaseModel):
    """A changed leaf at full scale, projected from this preview run: what a dataset build
    would make of it against its target (sdg_ci/report/projection.py)."""

    full_questions: int = 0  # questions a full-scale first pass would write
    keep_rate: float = 0.0  # pairs kept / questions written, in the preview
    projected_kept: int = 0  # keep_rate x full_questions
    target: int = 0  # rows it would put in train.jsonl at most (target x weight)
    subtree: str = ""  # its parent subtree in the taxonomy
    subtree_share: float | None = None  # its share of the subtree's rows, when projected
    flags: list[str] = Field(default_factory=list)  # thin source, would dominate


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
    changes: list[LeafChange] = Field(default_factory=list)
    validation: list[FileResult] = Field(default_factory=list)
    generation: RunSummary | None = None
    generation_skipped: str | None = None  # why generation did not run, when it did not
    generation_error: str | None = None
    gates: list[GateResult] = Field(default_factory=list)
    projections: dict[str, LeafProjection] = Field(default_factory=dict)  # leaf file -> at full
    pull_request: PullRequestInfo = Field(default_factory=PullRequestInfo)
    out_dir: str = ""
    reproduce: str = ""
    wall_s: float = 0.0

    @field_serializer("changes")
    def _changes_json(self, changes: list[LeafChange]) -> list[dict[str, Any]]:
        return [c.to_json() for c in changes]

    @field_serializer("validation")
    def _validation_json(self, validation: list[FileResult]) -> list[dict[str, Any]]:
        return [file_result_json(r) for r in validation]

    @property
    def invalid_files(self) -> list[FileResult]:
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


def check_problems(summary: CheckSummary) -> list[str]:
    """The verdict's reasons, one line each: invalid files, failed gates, a failed run."""
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
    elif summary.generation is not None and summary.generation.failed_leaves:
        n = len(summary.generation.failed_leaves)
        problems.append(f"{n} lea{'ves' if n != 1 else 'f'} could not be read or generated")
    return problems
