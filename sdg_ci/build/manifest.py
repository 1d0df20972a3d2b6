"""manifest.json: the dataset's index (leaf path -> content hash, data file, pair count)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sdg_ci import __version__
from sdg_ci.build.store import write_atomic
from sdg_ci.errors import SdgCiError

MANIFEST = "manifest.json"
SCHEMA_VERSION = 1

Manifest = dict[str, Any]  # {"schema_version", "commit", "settings", "leaves": {path: entry}}


def load_manifest(dataset: Path) -> Manifest:
    """The dataset's manifest, or an empty one for a new dataset."""
    path = dataset / MANIFEST
    if not path.is_file():
        return {"schema_version": SCHEMA_VERSION, "leaves": {}}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SdgCiError(
            f"{path}: cannot read the dataset manifest ({exc}); fix or delete it "
            "(then the next build regenerates every leaf)"
        ) from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("leaves"), dict):
        raise SdgCiError(f"{path}: not an sdg-ci dataset manifest (no 'leaves' mapping)")
    if manifest.get("schema_version", 1) > SCHEMA_VERSION:
        raise SdgCiError(
            f"{path}: manifest schema {manifest['schema_version']} is newer than this "
            f"sdg-ci understands ({SCHEMA_VERSION}); upgrade sdg-ci"
        )
    return manifest


def write_manifest(
    dataset: Path,
    *,
    commit: str | None,
    settings: str,
    scale: str,
    pairs: int,
    entries: dict[str, dict[str, Any]],
) -> None:
    """Write the manifest last, atomically: it names only data that is already in place."""
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "commit": commit,
        "settings": settings,
        "scale": scale,
        "pairs": pairs,
        "leaves": dict(sorted(entries.items())),
    }
    write_atomic(dataset / MANIFEST, lambda out: out.write(json.dumps(manifest, indent=2) + "\n"))
