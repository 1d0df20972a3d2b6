"""The fetch cache: a leaf's document commit, fetched once into a private bare repository.

Into `<cache_dir>/documents/<sha256(repo, commit)[:32]>/`, made with
`git init --bare --template=` (no sample hooks) and `git fetch --depth 1 <url> <commit>`,
falling back to a full fetch of branches and tags when the server refuses to serve a commit
by SHA; then the object must be a commit. git runs hardened (`sdg_ci.gitcmd`): an argument
list, a timeout (`documents.fetch_timeout_s`), no system/global config, only the one
transport the source needs. A finished fetch is renamed into place atomically and reused by
every later run without touching the network or the source: a commit never changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

from sdg_ci import gitcmd
from sdg_ci.config import DocumentSettings
from sdg_ci.taxonomy.documents.context import DocContext
from sdg_ci.taxonomy.documents.snapshots import check_snapshot
from sdg_ci.taxonomy.documents.sources import Source, normalise_url


def cache_key(repo: str, commit: str) -> str:
    """The cache folder name of `repo` at `commit` (mirrors and the URL share it)."""
    return hashlib.sha256(f"{normalise_url(repo)}\n{commit}".encode()).hexdigest()[:32]


def ensure_commit(ctx: DocContext, source: Source, cache_dir: Path,
                  settings: DocumentSettings) -> Path:
    """The bare cache repository holding `ctx.commit`, fetched if it is not there yet."""
    base = (cache_dir / "documents").resolve()
    final = base / cache_key(ctx.repo, ctx.commit)
    if source.snapshot_dir is not None:
        # a snapshot folder can be edited in place: check it still builds the pinned commit
        # on every load (cheap: a few git calls per file), then fetch from a private copy
        base.mkdir(parents=True, exist_ok=True)
        snap = base / f".snapshot-{uuid.uuid4().hex}.git"
        try:
            check_snapshot(ctx, source.snapshot_dir, snap)
            return _ensure_fetched(ctx, Source(str(snap), "file", label=source.label),
                                   base, final, settings)
        finally:
            shutil.rmtree(snap, ignore_errors=True)
    return _ensure_fetched(ctx, source, base, final, settings)


def _ensure_fetched(ctx: DocContext, source: Source, base: Path, final: Path,
                    settings: DocumentSettings) -> Path:
    if final.is_dir():
        if has_commit(final, ctx.commit):
            return final  # a fetched commit never changes: no network, no source needed
        shutil.rmtree(final, ignore_errors=True)  # damaged: fetch again
    if source.protocol == "file" and not Path(source.url).is_dir():
        state = "is not a folder" if Path(source.url).exists() else "does not exist"
        raise ctx.error(f"{source.label}: local repository {state}")
    base.mkdir(parents=True, exist_ok=True)
    tmp = base / f".tmp-{uuid.uuid4().hex}"
    try:
        _fetch_into(ctx, source, tmp, settings)
        try:
            os.rename(tmp, final)
        except OSError:
            if not (final.is_dir() and has_commit(final, ctx.commit)):  # not a concurrent run's
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def has_commit(git_dir: Path, commit: str) -> bool:
    """`commit` is a commit object in `git_dir` (False for anything git cannot answer)."""
    try:
        proc = gitcmd.run_git(["cat-file", "-t", commit], git_dir=git_dir, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and proc.stdout.strip() == b"commit"


def _fetch_into(ctx: DocContext, source: Source, tmp: Path, settings: DocumentSettings) -> None:
    timeout = settings.fetch_timeout_s
    safe = (source.url,) if source.protocol == "file" else ()
    where = source.label or source.url

    def run(args: list[str], git_dir: Path | None = tmp) -> subprocess.CompletedProcess:
        try:
            return gitcmd.run_git(args, git_dir=git_dir, protocol=source.protocol,
                                  timeout=timeout, safe_dirs=safe)
        except subprocess.TimeoutExpired:
            raise ctx.error(f"git {args[0]} from {where} took longer than {timeout:g} s "
                            "(documents.fetch_timeout_s)") from None
        except OSError as exc:
            raise ctx.error(f"cannot run git: {exc}") from exc

    init = run(["init", "--bare", "--quiet", "--template=", str(tmp)], git_dir=None)
    if init.returncode != 0:
        raise ctx.error(f"git init failed: {gitcmd.stderr_summary(init)}")
    common = ["--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head"]
    shallow = run(["fetch", *common, "--depth", "1", source.url, ctx.commit])
    if shallow.returncode == 0 and has_commit(tmp, ctx.commit):
        return
    # the server may refuse a commit that is not a branch tip: fetch all branches and tags
    full = run(["fetch", *common, source.url, "+refs/heads/*:refs/heads/*",
                "+refs/tags/*:refs/tags/*"])
    if full.returncode != 0:
        raise ctx.error(f"cannot fetch from {where}: {gitcmd.stderr_summary(full)} "
                        f"(fetching the commit directly said: {gitcmd.stderr_summary(shallow)})")
    kind = gitcmd.run_git(["cat-file", "-t", ctx.commit], git_dir=tmp, timeout=30)
    if kind.returncode != 0:
        raise ctx.error(f"commit {ctx.commit} is not in {where} (no branch or tag reaches it); "
                        "check document.commit")
    if kind.stdout.strip() != b"commit":
        raise ctx.error(f"{ctx.commit} is a {kind.stdout.decode().strip()}, not a commit")
