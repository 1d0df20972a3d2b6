"""Prompt templates: one YAML data file per stage in `prompts/`, loaded once.

Fields: `stage` (a `Stage`: its name in the summary), `role` (teacher | critic; must be the
stage's role), `temperature`, `max_tokens`, `system`, `user` (a `string.Template`: `$name`
takes contributor text verbatim, never re-parsed), `format` (`json` with a `schema`, or
`text`). The shared part of a prompt (principles, task, examples, context) comes first and
the row's own text last, so servers with a prefix cache reuse it across rows.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from string import Template

import yaml

from sdg_ci.records.stages import Role, Stage


@dataclass(frozen=True)
class Prompt:
    name: str
    stage: Stage
    role: Role
    temperature: float
    max_tokens: int
    format: str
    system: Template
    user: Template
    schema: dict | None

    def render(self, variables: Mapping[str, object]) -> list[dict[str, str]]:
        values = {k: str(v) for k, v in variables.items()}
        return [
            {"role": "system", "content": self.system.substitute(values).strip()},
            {"role": "user", "content": self.user.substitute(values).strip()},
        ]

    def schema_for(self, count: int | None = None) -> dict | None:
        """The JSON schema; a list field gets min/max items = `count` when given."""
        if self.schema is None or count is None:
            return self.schema
        schema = copy.deepcopy(self.schema)
        for prop in schema.get("properties", {}).values():
            if prop.get("type") == "array":
                prop["minItems"] = 1
                prop["maxItems"] = count
        return schema


@functools.cache
def load_prompt(name: str) -> Prompt:
    text = resources.files("sdg_ci.generate.model").joinpath("prompts", f"{name}.yaml").read_text(
        encoding="utf-8"
    )
    data = yaml.safe_load(text)
    stage, role = Stage(data["stage"]), Role(data["role"])
    if stage.role is not role:
        raise ValueError(f"prompt {name}: stage {stage} is asked of the {stage.role}, not {role}")
    return Prompt(
        name=name,
        stage=stage,
        role=role,
        temperature=float(data.get("temperature", 0.0)),
        max_tokens=int(data["max_tokens"]),
        format=data.get("format", "text"),
        system=Template(data["system"]),
        user=Template(data["user"]),
        schema=data.get("schema"),
    )
