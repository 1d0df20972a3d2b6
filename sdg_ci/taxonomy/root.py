"""Finding the taxonomy root: the folder holding compositional_skills/ or knowledge/."""

from __future__ import annotations

import os
from pathlib import Path

from sdg_ci.config import CONFIG_NAME  # re-exported: the settings file's name
from sdg_ci.errors import SdgCiError
from sdg_ci.taxonomy.leaf import LEAF_ROOTS


def find_taxonomy_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` with a leaf root or a `.sdg-ci.yaml`.

    Falls back to `start` itself, so a fresh, empty taxonomy still works.
    """
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file() or any((folder / r).is_dir() for r in LEAF_ROOTS):
            return folder
    return start


def is_taxonomy(folder: Path) -> bool:
    """A taxonomy has `compositional_skills/` or `knowledge/` (one of them is enough)."""
    return any((folder / r).is_dir() for r in LEAF_ROOTS)


def not_a_taxonomy(folder: Path) -> SdgCiError:
    """The usage error for a command run on a folder that is not a taxonomy: searching it
    would report unrelated files (or nothing) as if it were one."""
    shown = " ".join(os.fspath(folder).split())  # one line, whatever the folder is called
    return SdgCiError(
        f"{shown} is not a taxonomy (it has no compositional_skills/ or knowledge/ folder); "
        "run sdg-ci inside one, or name its root with -C PATH"
    )


def taxonomy_root(named: str | os.PathLike | None = None) -> Path:
    """The root a command works on: `-C PATH` when given, else the nearest taxonomy above
    the current folder. Raises SdgCiError (exit status 2) when it is not a taxonomy."""
    root = Path(named).resolve() if named else find_taxonomy_root()
    if not is_taxonomy(root):
        raise not_a_taxonomy(root)
    return root
