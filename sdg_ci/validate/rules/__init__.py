"""The validation rules: one module per code, each with its documentation and `check()`.

Like yamllint's rules, a module holds `CODE`, `NAME`, `SEVERITY` (the default: "error",
"warning", or "yamllint" for the level yamllint reports), a docstring whose first line is
the summary and whose body shows a failing and a passing `qna.yaml` snippet (it becomes
docs/rules.md), and a `check(ctx)` generator of Diagnostics.

Codes are stable: Q0xx the file and its YAML, Q1xx the schema, Q200 yamllint, Q3xx checks
the reference tools do not make (warnings unless configured otherwise).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType

from sdg_ci.diagnostics import Diagnostic

MODULES = (
    "internal_error",
    "yaml_syntax",
    "alias_bomb",
    "nesting_depth",
    "duplicate_key",
    "symlink_outside",
    "not_a_file",
    "file_too_large",
    "unreadable",
    "binary_file",
    "not_utf8",
    "unresolvable_path",
    "file_name",
    "file_location",
    "empty_file",
    "top_level_not_mapping",
    "attribution_missing",
    "attribution_empty",
    "missing_key",
    "unknown_key",
    "wrong_type",
    "empty_value",
    "too_few_items",
    "duplicate_items",
    "version_type",
    "version_unsupported",
    "version_mismatch",
    "yamllint",
    "qa_count",
    "commit_sha",
    "repo_url",
    "pattern_extension",
    "long_context",
    "long_qa",
    "skill_length",
    "duplicate_context",
    "mixed_skill",
    "short_outline",
    "folder_name",
    "foundational_skills",
    "yaml_boolean",
    "placeholder",
    "crlf",
)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str  # "error" | "warning" | "yamllint"
    summary: str
    doc: str
    check: Callable[..., Iterator[Diagnostic]]
    module: ModuleType


def _rule(module: ModuleType) -> Rule:
    doc = inspect.cleandoc(module.__doc__ or "")
    summary, _, body = doc.partition("\n")
    return Rule(
        code=module.CODE,
        name=module.NAME,
        severity=module.SEVERITY,
        summary=summary.strip(),
        doc=body.strip(),
        check=module.check,
        module=module,
    )


RULES: list[Rule] = sorted(
    (_rule(importlib.import_module(f"{__name__}.{m}")) for m in MODULES), key=lambda r: r.code
)
BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
