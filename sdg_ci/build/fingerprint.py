"""Content hashes: when a leaf, or the settings that shape generated data, changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath
from typing import Any

from sdg_ci.config import Config
from sdg_ci.taxonomy.gitdiff import ATTRIBUTION_NAME, document_ref


def leaf_fingerprint(root: Path, rel: str) -> dict[str, Any]:
    """The content hash of a leaf: its qna.yaml, the attribution.txt beside it and its
    document reference (so moving a leaf, which keeps all three, keeps the hash)."""
    data = (root / rel).read_bytes()
    attribution_file = root / PurePosixPath(rel).with_name(ATTRIBUTION_NAME)
    attribution = attribution_file.read_bytes() if attribution_file.is_file() else None
    ref = document_ref(data) if PurePosixPath(rel).parts[0] == "knowledge" else None
    document = (
        {"repo": ref[0], "commit": ref[1], "patterns": list(ref[2])}
        if ref is not None and any(ref) else None
    )
    h = hashlib.sha256(b"sdg-ci leaf v1\0")
    for part in (data, attribution, json.dumps(document, sort_keys=True).encode()):
        h.update(b"-" if part is None else b"+%d\0" % len(part))
        h.update(part or b"")
    return {
        "hash": h.hexdigest(),
        "leaf_sha256": hashlib.sha256(data).hexdigest(),
        "attribution_sha256": hashlib.sha256(attribution).hexdigest() if attribution else None,
        "document": document,
    }


def settings_fingerprint(config: Config) -> str:
    """What shapes generated data (models, scale, counts, thresholds), not how it runs."""
    settings = config.generate.model_dump(mode="json")
    for key in ("cache_dir", "progress_interval_s"):
        settings.pop(key, None)
    for role in ("teacher", "critic"):
        if isinstance(settings.get(role), dict):
            for key in ("api_key_env", "timeout_s", "max_concurrency", "client"):
                settings[role].pop(key, None)
    if isinstance(settings.get("embedded"), dict):  # how many slots and threads, not what
        for key in ("parallel", "threads"):
            settings["embedded"].pop(key, None)
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
