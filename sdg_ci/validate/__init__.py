"""Validation of taxonomy leaves: the door is `validate(paths, profile) -> list[FileResult]`.

The CLI, the pytest plugin and the pre-commit hook are shells over these two functions:
`find_leaves` turns files and folders into the leaf files to check, `validate` checks them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from sdg_ci.config import ValidateSettings, load_config
from sdg_ci.diagnostics import FileResult
from sdg_ci.taxonomy.leaf import LEAF_ROOTS, find_leaf_files, is_leaf_lookalike, relative_to_root
from sdg_ci.taxonomy.root import find_taxonomy_root
from sdg_ci.validate.engine import check_files
from sdg_ci.validate.profiles import PROFILES, Profile, get_profile

__all__ = ["PROFILES", "Profile", "find_leaves", "relative_to_root", "validate"]

# what the taxonomy CI, ilab and generation read; a qna.yaml elsewhere (foundational_skills/,
# docs/) is checked only when named, and then told it is not read (Q312, Q021)
WALKED_FOLDERS = LEAF_ROOTS


def find_leaves(root: Path, paths: Sequence[Path] | None = None) -> list[str]:
    """The files to check, relative to `root`, sorted.

    A path that is a file (or is named like a leaf, even if it is a folder) is taken as
    given, whatever its name and place: the rules say what is wrong with it. A folder is
    searched for `qna.yaml` and look-alikes (`qna.yml`, `QnA.yaml`) under
    compositional_skills/ and knowledge/ only, the folders every tool reads; a folder
    named outside them (`foundational_skills/`) is searched whole, so its files are told
    they are not read instead of "no qna.yaml files found".
    """
    root = root.resolve()
    found: set[str] = set()
    for path in paths or [root]:
        path = Path(path)
        if not path.is_dir() or path.name == "qna.yaml" or is_leaf_lookalike(path.name):
            found.add(relative_to_root(root, path))
            continue
        named = relative_to_root(root, path)
        named_outside = (
            named != "." and not os.path.isabs(named) and Path(named).parts[0] not in WALKED_FOLDERS
        )
        for rel in find_leaf_files(root, [path]):
            if named_outside or Path(rel).parts[0] in WALKED_FOLDERS:
                found.add(rel)
    return sorted(found)


def validate(
    paths: Iterable[str | os.PathLike],
    profile: str | Profile | None = None,
    *,
    root: Path | None = None,
    settings: ValidateSettings | None = None,
    jobs: int | None = None,
) -> list[FileResult]:
    """Check leaf files; one FileResult per file, in the order given, paths root-relative.

    `paths` are files (relative paths are taken from `root` when it is given, else from
    the current folder). `root` defaults to the taxonomy root above the first path;
    `settings` to the `validate` section of its `.sdg-ci.yaml`; `profile` to the one the
    settings name (taxonomy-ci). `jobs` caps worker processes (default: the usable CPUs;
    small batches run in this process).
    """
    raw = [Path(p) for p in paths]
    if root is None:
        first = raw[0] if raw else Path.cwd()
        root = find_taxonomy_root(first if first.is_dir() else first.parent)
    else:
        raw = [p if p.is_absolute() else root / p for p in raw]
    root = root.resolve()
    if settings is None:
        settings = load_config(root, sections=("validate",)).validate_
    chosen = get_profile(profile or settings.profile)
    rel_paths = list(dict.fromkeys(relative_to_root(root, p) for p in raw))
    return check_files(root, rel_paths, chosen, settings, jobs)
