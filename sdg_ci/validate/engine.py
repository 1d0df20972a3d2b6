"""Checking files: one Context per file, every rule over it, severities resolved.

`check_file` never raises: a file that cannot be read, or a bug in a rule, becomes a
diagnostic on that file, and the other files are still checked. `validate` checks many
files, in worker processes when there are enough of them to pay for starting the workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from yamllint.config import YamlLintConfig

from sdg_ci.config import ValidateSettings
from sdg_ci.diagnostics import Diagnostic, FileResult
from sdg_ci.errors import SdgCiError
from sdg_ci.taxonomy.leaf import LeafReadError, load_leaf
from sdg_ci.validate import lint
from sdg_ci.validate.context import Context
from sdg_ci.validate.profiles import Profile
from sdg_ci.validate.rules import BY_CODE, RULES

PARALLEL_MIN_FILES = 200  # below this, starting worker processes costs more than it saves
CONTENT_SUFFIXES = (".yaml", ".yml")


def check_settings(settings: ValidateSettings) -> None:
    unknown = sorted(set(settings.rules) - set(BY_CODE))
    if unknown:
        raise SdgCiError(
            f"validate.rules: unknown rule code(s) {', '.join(unknown)}; "
            "see docs/rules.md for the codes"
        )


def check_file(
    root: Path,
    rel_path: str,
    profile: Profile,
    settings: ValidateSettings,
    lint_config: YamlLintConfig,
) -> FileResult:
    """Every rule over one file (`rel_path` relative to `root`, or absolute outside it)."""
    result = FileResult(path=rel_path)
    ctx = Context(root, rel_path, profile, settings, lint_config)
    try:
        if rel_path.lower().endswith(CONTENT_SUFFIXES):
            try:
                ctx.leaf = load_leaf(root, rel_path, settings.max_file_bytes)
            except LeafReadError as exc:
                ctx.read_error = exc.diagnostic
        for rule in RULES:
            level = settings.rules.get(rule.code)
            if level == "off":
                continue
            for diag in rule.check(ctx):
                severity = level or (rule.severity if rule.severity != "yamllint" else None)
                result.add(replace(diag, severity=severity) if severity else diag)
    except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the others
        result.add(
            Diagnostic(
                1,
                1,
                "Q000",
                f"sdg-ci failed while checking this file: {type(exc).__name__}: {exc} "
                "(a bug in sdg-ci; please report it with this file)",
            )
        )
    result.sort()
    return result


# ---- many files ------------------------------------------------------------------------
_worker_args: tuple | None = None


def _init_worker(args: tuple) -> None:
    global _worker_args
    _worker_args = args


def _check_in_worker(rel_path: str) -> FileResult:
    root, profile, settings, lint_config = _worker_args  # type: ignore[misc]
    return check_file(root, rel_path, profile, settings, lint_config)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def check_files(
    root: Path,
    rel_paths: Sequence[str],
    profile: Profile,
    settings: ValidateSettings,
    jobs: int | None = None,
) -> list[FileResult]:
    check_settings(settings)
    lint_config = lint.load_config(root)
    jobs = default_jobs() if jobs is None else max(1, jobs)
    if (
        jobs == 1
        or len(rel_paths) < PARALLEL_MIN_FILES
        or "fork" not in (multiprocessing.get_all_start_methods())
    ):
        return [check_file(root, p, profile, settings, lint_config) for p in rel_paths]
    context = multiprocessing.get_context("fork")
    chunk = max(1, len(rel_paths) // (jobs * 32))
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_init_worker,
        initargs=((root, profile, settings, lint_config),),
    ) as pool:
        return list(pool.map(_check_in_worker, rel_paths, chunksize=chunk))
