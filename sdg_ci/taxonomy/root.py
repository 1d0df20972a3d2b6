"""Finding the taxonomy root: the folder holding compositional_skills/ or knowledge/."""

from __future__ import annotations

from pathlib import Path

from sdg_ci.config import CONFIG_NAME  # re-exported: the settings file's name
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
