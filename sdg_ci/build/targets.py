"""Per-leaf targets and weights: the `build:` settings resolved for one leaf.

Why subtree overrides work like the gates: one rule to learn (a prefix of the taxonomy
path; every matching subtree applies, the longer prefix winning).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from sdg_ci.config import BuildOverrides, BuildSettings
from sdg_ci.errors import SdgCiError


def _matching(leaf: str, settings: BuildSettings) -> list[BuildOverrides]:
    """The subtrees containing `leaf` (a taxonomy path), shortest prefix first."""
    parts = PurePosixPath(leaf).parts
    found = []
    for prefix, overrides in settings.subtrees.items():
        p = PurePosixPath(prefix.strip("/")).parts
        if p and tuple(parts[: len(p)]) == p:
            found.append((len(p), prefix, overrides))
    return [o for _, _, o in sorted(found, key=lambda m: (m[0], m[1]))]


def target_for(leaf: str, settings: BuildSettings, scale: str) -> int:
    """Kept rows the leaf aims for at `scale` (its generation target; weights aside)."""
    if scale not in settings.targets:
        raise SdgCiError(f"build.targets has no value for scale {scale!r}")
    target = settings.targets[scale]
    for overrides in _matching(leaf, settings):
        if overrides.targets and scale in overrides.targets:
            target = overrides.targets[scale]
    return max(0, int(target))


def weight_for(leaf: str, settings: BuildSettings) -> float:
    """The leaf's weight in train.jsonl's mix (1.0 unless a subtree sets one)."""
    weight = 1.0
    for overrides in _matching(leaf, settings):
        if overrides.weight is not None:
            weight = overrides.weight
    return weight


def rows_wanted(leaf: str, settings: BuildSettings, scale: str) -> int:
    """Rows the leaf puts in train.jsonl: its target times its weight."""
    return round(target_for(leaf, settings, scale) * weight_for(leaf, settings))
