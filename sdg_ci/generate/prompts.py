"""Prompt templates: one YAML data file per stage in `prompts/`, loaded once.

Fields: `stage` (its name in the summary), `role` (teacher | critic), `temperature`,
`max_tokens`, `system`, `user` (a `string.Template`: `$name` takes contributor text
verbatim, never re-parsed), `format` (`json` with a `schema`, or `text`). The shared part of
a prompt (principles, task, examples, context) comes first and the row's own text last, so
servers with a prefix cache reuse it across rows.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from importlib import resources
from string import Template

import yaml


@dataclass(frozen=True)
class Prompt:
    name: str
    stage: str
    role: str
    temperature: float
    max_tokens: int
    format: str
    system: Template
    user: Template
    schema: dict | None

    def render(self, variables: dict[str, object]) -> list[dict]:
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
    text = resources.files("sdg_ci.generate").joinpath("prompts", f"{name}.yaml").read_text(
        encoding="utf-8"
    )
    data = yaml.safe_load(text)
    return Prompt(
        name=name,
        stage=data["stage"],
        role=data["role"],
        temperature=float(data.get("temperature", 0.0)),
        max_tokens=int(data["max_tokens"]),
        format=data.get("format", "text"),
        system=Template(data["system"]),
        user=Template(data["user"]),
        schema=data.get("schema"),
    )
