"""What the rules see of one file: its path, its loaded leaf (or why it could not be read),
the profile in force, and the shared results rules draw on (schema, yamllint), computed once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

from yamllint.config import YamlLintConfig

from sdg_ci.config import ValidateSettings
from sdg_ci.diagnostics import Diagnostic
from sdg_ci.taxonomy.leaf import LEAF_ROOTS, Leaf
from sdg_ci.taxonomy.yamlnodes import Mark
from sdg_ci.validate import lint, schema
from sdg_ci.validate.profiles import Profile
from sdg_ci.validate.seeds import walk

_PLAIN_TOKEN = re.compile(r"[^\s,\]\}#]+")


@dataclass
class Context:
    root: Path
    rel_path: str
    profile: Profile
    settings: ValidateSettings
    lint_config: YamlLintConfig
    leaf: Leaf | None = None
    read_error: Diagnostic | None = None

    # ---- the path -------------------------------------------------------------------
    @cached_property
    def parts(self) -> tuple[str, ...]:
        return PurePosixPath(self.rel_path).parts

    @property
    def name(self) -> str:
        return self.parts[-1] if self.parts else self.rel_path

    @property
    def inside_root(self) -> bool:
        return not PurePosixPath(self.rel_path).is_absolute()

    @property
    def top_folder(self) -> str | None:
        return self.parts[0] if self.inside_root and len(self.parts) > 1 else None

    # ---- the content ----------------------------------------------------------------
    @property
    def data(self) -> object:
        return self.leaf.data if self.leaf else None

    @property
    def mapping(self) -> dict | None:
        """The top-level mapping, or None when the file is unreadable, empty or not one."""
        data = self.data
        return data if isinstance(data, dict) and data else None

    @property
    def text(self) -> str:
        return self.leaf.text if self.leaf else ""

    @cached_property
    def lines(self) -> list[str]:
        return lint.normalise_newlines(self.text).split("\n")

    def at(self, yaml_path: str, *, key: bool = False) -> Mark:
        return self.leaf.marks.at(yaml_path, key=key) if self.leaf else Mark(1, 1)

    def diag(
        self,
        code: str,
        message: str,
        yaml_path: str = "",
        *,
        key: bool = False,
        severity: str = "error",
    ) -> Diagnostic:
        mark = self.at(yaml_path, key=key) if yaml_path else Mark(1, 1)
        return Diagnostic(mark.line, mark.column, code, message, yaml_path, severity)  # type: ignore[arg-type]

    def spelled(self, yaml_path: str) -> str | None:
        """How a plain scalar was written (`yes`, `3.0`): what YAML turned into a value."""
        if not self.leaf or yaml_path not in self.leaf.marks.values:
            return None
        mark = self.leaf.marks.values[yaml_path]
        if mark.line - 1 >= len(self.lines):
            return None
        match = _PLAIN_TOKEN.match(self.lines[mark.line - 1], mark.column - 1)
        return match.group(0) if match else None

    # ---- shared results -------------------------------------------------------------
    @cached_property
    def schema_name(self) -> str:
        """knowledge or compositional_skills: by folder, else by content like the reference."""
        if self.top_folder in LEAF_ROOTS:
            return self.top_folder  # type: ignore[return-value]
        return schema.KNOWLEDGE if "document" in (self.mapping or {}) else schema.SKILLS

    @cached_property
    def version_check(self) -> tuple[int | None, list[Diagnostic]]:
        if self.mapping is None:
            return None, []
        return schema.version_in_force(
            self.mapping, self.schema_name, self.profile, self.leaf.marks, self.spelled
        )

    @property
    def version(self) -> int | None:
        """The schema version in force (None: no schema applies)."""
        return self.version_check[0]

    @cached_property
    def schema_diagnostics(self) -> list[Diagnostic]:
        if self.mapping is None or self.version is None:
            return []
        return schema.schema_diagnostics(
            self.mapping, self.schema_name, self.version, self.leaf.marks, self.spelled
        )

    @cached_property
    def scalars(self) -> list[tuple[str, object]]:
        """Every (yaml path, value) of the file that is not a mapping or a list."""
        return [(p, v) for p, v in walk(self.mapping or {}) if not isinstance(v, (dict, list))]

    @cached_property
    def structure_diagnostics(self) -> list[Diagnostic]:
        """The `version` key's problems and the schema's (codes Q101-Q109)."""
        return [*self.version_check[1], *self.schema_diagnostics]

    def found(self, code: str) -> Iterator[Diagnostic]:
        """The diagnostics with `code` that the shared passes (reading the file, the schema)
        already made: rules for those codes only report them."""
        if self.read_error is not None and self.read_error.code == code:
            yield self.read_error
        if self.read_error is None:
            yield from (d for d in self.structure_diagnostics if d.code == code)

    @cached_property
    def schema_error_paths(self) -> set[str]:
        return {d.yaml_path for d in self.structure_diagnostics}

    @cached_property
    def lint_problems(self) -> list:
        """yamllint's problems; none for version 1 files in the ilab profile (as the reference)."""
        if self.mapping is None:
            return []
        if self.profile.version_from_file and self.version == 1:
            return []
        return lint.lint(self.text, self.lint_config, self.rel_path)
