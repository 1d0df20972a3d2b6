"""Incremental dataset builds: regenerate only the leaves that changed, keep the rest.

A dataset folder holds:

    DATASET_DIR/manifest.json          leaf path -> content hash, data file, pair count
    DATASET_DIR/leaves/<path>/pairs.jsonl   kept pairs of each leaf (the store)
    DATASET_DIR/train.jsonl            every leaf's kept pairs, concatenated in path order
    DATASET_DIR/last_run/              the latest generation run (summary.json, rejected rows)
    DATASET_DIR/summary.json           that run's summary, for reports

A build diffs the range (`--commits A..B`, `--base REF`, or by default from the commit the
dataset was last built at), then reconciles with the manifest: a leaf is regenerated when
its content hash (the qna.yaml bytes, the attribution.txt beside it, its document
reference) differs from the one recorded, or when its last generation was incomplete. So a
skipped or failed build never leaves the dataset behind the taxonomy, and a leaf whose
content did not change costs no model call; a leaf renamed without edits has its data
moved, not regenerated. Deleted leaves (and the old paths of renamed ones) lose their data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sdg_ci import __version__
from sdg_ci.config import Config
from sdg_ci.errors import SdgCiError
from sdg_ci.gitcmd import user_repo_git_text
from sdg_ci.records.run import RunSummary
from sdg_ci.taxonomy.gitdiff import (
    ADDED,
    ATTRIBUTION_NAME,
    EMPTY_BASE,
    MODIFIED,
    RENAMED,
    DiffResult,
    diff_taxonomy,
    document_ref,
)
from sdg_ci.taxonomy.leaf import find_leaf_files, is_leaf_path, taxonomy_path

MANIFEST = "manifest.json"
TRAIN = "train.jsonl"
STORE = "leaves"
LAST_RUN = "last_run"
SUMMARY = "summary.json"
PAIRS = "pairs.jsonl"
SCHEMA_VERSION = 1

GenerateFn = Callable[..., RunSummary]


def _real_generate(root, leaf_files, config, out_dir, statuses=None, progress=True):
    from sdg_ci.generate.runner import generate

    return generate(root, leaf_files, config, out_dir, statuses=statuses, progress=progress)


@dataclass
class BuildResult:
    dataset: Path
    commit: str | None  # the taxonomy commit the dataset now reflects
    diff: DiffResult | None
    generated: list[str] = field(default_factory=list)  # leaves sent to generation
    moved: dict[str, str] = field(default_factory=dict)  # new path -> old path (no model call)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)  # retried by the next build
    leaves: int = 0  # leaves in the dataset
    pairs: int = 0  # pairs in train.jsonl
    notes: list[str] = field(default_factory=list)
    summary: RunSummary | None = None


# --- hashing --------------------------------------------------------------------------------


def leaf_fingerprint(root: Path, rel: str) -> dict:
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
            for key in ("api_key_env", "timeout_s", "max_concurrency"):
                settings[role].pop(key, None)
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


# --- the store ------------------------------------------------------------------------------


def data_file_for(rel: str) -> str:
    """`knowledge/a/b/qna.yaml` -> `leaves/knowledge/a/b/pairs.jsonl`."""
    return f"{STORE}/{taxonomy_path(rel)}/{PAIRS}"


def load_manifest(dataset: Path) -> dict:
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


def _write_atomic(path: Path, write: Callable) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        write(out)
    os.replace(tmp, path)


def _remove_data(dataset: Path, data_file: str) -> None:
    path = dataset / data_file
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    store = (dataset / STORE).resolve()
    folder = path.parent.resolve()
    while folder != store and store in folder.parents:
        try:
            folder.rmdir()  # only when empty: a parent leaf's data may live here too
        except OSError:
            break
        folder = folder.parent


def _count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def _move_data(dataset: Path, old: str, new: str, old_file: str) -> int:
    """Move a renamed leaf's pairs, pointing their metadata at the new path."""
    records = []
    with open(dataset / old_file, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            meta = record.get("metadata")
            if isinstance(meta, dict):
                if meta.get("leaf_file") == old:
                    meta["leaf_file"] = new
                if meta.get("leaf") == taxonomy_path(old):
                    meta["leaf"] = taxonomy_path(new)
            records.append(record)
    _write_atomic(
        dataset / data_file_for(new),
        lambda out: out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
    )
    return len(records)


@contextlib.contextmanager
def _locked(dataset: Path):
    """One build at a time per dataset folder (released even if the process dies)."""
    dataset.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(dataset / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise SdgCiError(f"{dataset}: another sdg-ci build is running on it") from None
        yield


# --- the build ------------------------------------------------------------------------------


@dataclass
class _Plan:
    generate: dict[str, str] = field(default_factory=dict)  # path -> status
    move: dict[str, str] = field(default_factory=dict)  # new -> old
    remove: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    reconciled: list[str] = field(default_factory=list)  # out of date but not in the diff


def plan_build(dataset: Path, manifest: dict, current: dict[str, dict],
               diff: DiffResult | None, full: bool = False) -> _Plan:
    """Which leaves to generate, move, drop or keep (pure: no model call, no write)."""
    entries: dict[str, dict] = manifest["leaves"]
    diffed = {c.path: c for c in diff.changed} if diff else {}
    plan = _Plan()

    def reusable(entry: dict | None, fp: dict) -> bool:
        return bool(
            entry and entry.get("complete", True) and entry.get("hash") == fp["hash"]
            and (dataset / entry.get("data_file", "")).is_file()
        )

    gone = {p: e for p, e in entries.items() if p not in current}
    by_hash: dict[str, str] = {}
    for old, entry in sorted(gone.items()):
        by_hash.setdefault(entry.get("hash", ""), old)

    for path, fp in sorted(current.items()):
        change = diffed.get(path)
        if not full and reusable(entries.get(path), fp):
            plan.unchanged.append(path)
            continue
        old = change.old_path if change and change.status == RENAMED else None
        if not (old and old in gone and reusable(gone[old], fp)):
            old = by_hash.get(fp["hash"])
        if (not full and old in gone and old not in plan.move.values()
                and reusable(gone[old], fp)):
            plan.move[path] = old
            by_hash.pop(fp["hash"], None)
            continue
        plan.generate[path] = change.status if change else (
            MODIFIED if path in entries else ADDED
        )
        if change is None:
            plan.reconciled.append(path)
    moved_from = set(plan.move.values())
    plan.remove = sorted(p for p in gone if p not in moved_from)
    return plan


def build_dataset(
    root: Path,
    dataset: Path,
    *,
    commits: str | None = None,
    base: str | None = None,
    config: Config | None = None,
    scale: str | None = "full",
    full: bool = False,
    fetch: bool = False,
    progress: bool = True,
    generate: GenerateFn | None = None,
) -> BuildResult:
    """Bring `dataset` up to date with the taxonomy at `root` (checked out at HEAD).

    `commits` (`A..B`, B must be HEAD) or `base` name the change; with neither, the diff
    starts at the commit recorded in the manifest (every leaf is new for a new dataset).
    `full` regenerates every leaf. `generate` is the engine's entry point (injectable)."""
    root = Path(root).resolve()
    dataset = Path(dataset).resolve()
    generate = generate or _real_generate
    config = (config or Config()).model_copy(deep=True)
    if scale:
        config.generate.scale = scale
    if commits and base:
        raise SdgCiError("--commits A..B already names the base; drop --base")
    with _locked(dataset):
        manifest = load_manifest(dataset)
        result = BuildResult(dataset=dataset, commit=None, diff=None)
        diff = _diff(root, manifest, commits, base, fetch, result)
        result.diff = diff
        result.commit = diff.head if diff else _head(root)
        if diff and commits and diff.head and diff.head != _head(root):
            raise SdgCiError(
                f"the build reads leaves from the checked-out files, but {commits} ends at "
                f"{diff.head[:12]} and HEAD is {(_head(root) or '?')[:12]}; check out "
                "that commit first"
            )
        fingerprint = settings_fingerprint(config)
        old_fingerprint = manifest.get("settings")
        if manifest["leaves"] and old_fingerprint and old_fingerprint != fingerprint and not full:
            result.notes.append(
                "the generation settings changed since this dataset was built; leaves are "
                "regenerated only when they change: pass --full to regenerate every leaf"
            )
        current = {rel: leaf_fingerprint(root, rel) for rel in find_leaf_files(root)
                   if is_leaf_path(rel) and (root / rel).is_file()}
        plan = plan_build(dataset, manifest, current, diff, full=full)
        if plan.reconciled and manifest["leaves"] and diff is not None:
            result.notes.append(
                f"{len(plan.reconciled)} leaves were out of date in the manifest without "
                "changing in this range (an earlier build skipped or failed); regenerated"
            )

        # generation first: if it fails, the store is untouched
        run_dir = dataset / LAST_RUN
        shutil.rmtree(run_dir, ignore_errors=True)
        summary = None
        if plan.generate:
            files = sorted(plan.generate)
            summary = generate(root, files, config, run_dir, statuses=dict(plan.generate),
                               progress=progress)
            result.summary = summary
            if (run_dir / SUMMARY).is_file():
                shutil.copyfile(run_dir / SUMMARY, dataset / SUMMARY)

        entries: dict[str, dict] = dict(manifest["leaves"])
        by_leaf = {leaf.path: leaf for leaf in (summary.leaves if summary else [])}
        for path in sorted(plan.generate):
            leaf = by_leaf.get(path)
            source = run_dir / leaf.data_file if leaf and leaf.data_file else None
            target = data_file_for(path)
            if source is not None and source.is_file():
                (dataset / target).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, dataset / target)
                pairs = _count_lines(dataset / target)
            else:
                _remove_data(dataset, target)
                pairs = 0
            complete = bool(source is not None and source.is_file() and leaf.errors == 0)
            if not complete:
                result.incomplete.append(path)
            entries[path] = {
                **current[path],
                "kind": leaf.kind if leaf else None,
                "data_file": target,
                "pairs": pairs,
                "complete": complete,
                "commit": result.commit,
            }
        for new, old in sorted(plan.move.items()):
            pairs = _move_data(dataset, old, new, entries[old]["data_file"])
            entries[new] = {**entries[old], **current[new], "data_file": data_file_for(new),
                            "pairs": pairs}
        for old in sorted(set(plan.move.values()) | set(plan.remove)):
            entry = entries.pop(old)
            if not any(e["data_file"] == entry.get("data_file") for e in entries.values()):
                _remove_data(dataset, entry.get("data_file", data_file_for(old)))

        result.generated = sorted(plan.generate)
        result.moved = dict(sorted(plan.move.items()))
        result.removed = plan.remove
        result.unchanged = plan.unchanged
        result.leaves = len(entries)
        result.pairs = _write_train(dataset, entries)
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "commit": result.commit,
            "settings": fingerprint,
            "scale": config.generate.scale,
            "pairs": result.pairs,
            "leaves": dict(sorted(entries.items())),
        }
        _write_atomic(dataset / MANIFEST,
                      lambda out: out.write(json.dumps(manifest, indent=2) + "\n"))
    return result


def _head(root: Path) -> str | None:
    """HEAD's commit, or None outside git or before the first commit."""
    return user_repo_git_text(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}") or None


def _diff(root, manifest, commits, base, fetch, result) -> DiffResult | None:
    if commits:
        return diff_taxonomy(root, commits=commits, fetch=fetch)
    if base:
        return diff_taxonomy(root, base, mode="committed", fetch=fetch)
    since = manifest.get("commit") if manifest["leaves"] else None
    try:
        if since:
            return diff_taxonomy(root, commits=f"{since}..HEAD", fetch=fetch)
        return diff_taxonomy(root, EMPTY_BASE, mode="committed")
    except SdgCiError as exc:
        result.notes.append(f"no git diff ({exc}); comparing content hashes only")
        return None


def _write_train(dataset: Path, entries: dict[str, dict]) -> int:
    """train.jsonl: every leaf's kept pairs, in leaf path order; returns the pair count."""
    count = 0

    def write(out) -> None:
        nonlocal count
        for path in sorted(entries):
            data = dataset / entries[path]["data_file"]
            if not data.is_file():
                continue
            with open(data, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        out.write(line if line.endswith("\n") else line + "\n")
                        count += 1

    _write_atomic(dataset / TRAIN, write)
    return count
