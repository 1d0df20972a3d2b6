"""Diagnostics: the one shape every problem takes, from YAML syntax to quality gates.

Validation rules, yamllint, the diff and the report all speak this type, so the CLI's
text/json/github formats and the pytest items render them the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place in one file (1-based line and column)."""

    line: int
    column: int
    code: str
    message: str
    yaml_path: str = ""
    severity: Severity = "error"

    def to_json(self) -> dict:
        """The JSON contract's `Diag` object (docs/architecture.md); severity is implied by
        the list it sits in."""
        data = asdict(self)
        del data["severity"]
        return data


@dataclass
class FileResult:
    """Everything validation found in one file; `path` is relative to the taxonomy root."""

    path: str
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def add(self, diag: Diagnostic) -> None:
        (self.errors if diag.severity == "error" else self.warnings).append(diag)

    def sort(self) -> None:
        self.errors.sort()
        self.warnings.sort()

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "valid": self.valid,
            "errors": [d.to_json() for d in self.errors],
            "warnings": [d.to_json() for d in self.warnings],
        }
