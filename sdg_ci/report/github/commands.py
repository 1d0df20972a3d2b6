"""GitHub Actions workflow commands: annotations, masks and step outputs.

Escaped the way the Actions toolkit does, so untrusted text in a message or a property
cannot end the line or start another command. Every workflow command sdg-ci prints is
written by these functions.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from sdg_ci.report.github.env import GitHubEnv


def escape_data(value: str) -> str:
    """A command's message: `%`, CR and LF escaped."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A command's property value: as a message, and `:` and `,` too."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def workflow_command(name: str, message: str = "", **properties: object) -> str:
    """`::name key=value,...::message`, escaped the way the Actions toolkit does, so
    untrusted text in `message` cannot end the line or start another command."""
    props = ",".join(
        f"{k}={escape_property(str(v))}" for k, v in properties.items() if v is not None
    )
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(
    level: str,
    message: str,
    file: str | None = None,
    line: int | None = None,
    col: int | None = None,
    title: str | None = None,
) -> str:
    """An `::error`/`::warning`/`::notice` annotation with its place."""
    return workflow_command(level, message, file=file, line=line, col=col, title=title)


def add_mask(value: str, out: TextIO | None = None) -> None:
    """Tell the runner to hide `value` in logs (each line of a multi-line secret)."""
    out = out or sys.stdout
    for line in value.splitlines():
        if line.strip():
            out.write(f"::add-mask::{line}\n")
    out.flush()


def mask_secrets(env: GitHubEnv, environ: Mapping[str, str], names: list[str]) -> None:
    """Mask the token and every named API-key variable, in Actions only."""
    if not env.actions:
        return
    values = [env.token] + [environ.get(n) for n in names]
    for value in values:
        if value and len(value.strip()) >= 4:
            add_mask(value)


def write_outputs(path: Path, values: Mapping[str, str]) -> None:
    """Append step outputs in the multi-line-safe `name<<DELIMITER` form."""
    with path.open("a", encoding="utf-8") as fh:
        for name, value in values.items():
            delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
            while delimiter in value:  # pragma: no cover - 64 random bits
                delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
            fh.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
