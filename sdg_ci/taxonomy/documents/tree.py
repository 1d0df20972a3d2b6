"""The files of a fetched commit, read from its tree: nothing is ever checked out, so no
hook, filter, symlink or case-folding trick can write outside the cache."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from sdg_ci import gitcmd
from sdg_ci.config import DocumentSettings
from sdg_ci.taxonomy.documents.context import DocContext

SYMLINK_HOPS = 8


@dataclass
class TreeEntry:
    """One `git ls-tree -l` record: size comes from git's object metadata, not a read."""

    mode: str
    type: str
    oid: str
    size: int  # -1 for submodules


def list_tree(ctx: DocContext, git_dir: Path, settings: DocumentSettings) -> dict[str, TreeEntry]:
    """Every path of the commit's tree with its mode, object ID and size."""
    proc = gitcmd.run_git(["ls-tree", "-r", "-l", "-z", "--full-tree", ctx.commit],
                          git_dir=git_dir, timeout=settings.fetch_timeout_s)
    if proc.returncode != 0:
        raise ctx.error(f"cannot list the files of the commit: {gitcmd.stderr_summary(proc)}")
    entries: dict[str, TreeEntry] = {}
    for record in proc.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, otype, oid, size = meta.decode().split()
        path = raw_path.decode("utf-8", "surrogateescape")
        entries[path] = TreeEntry(mode, otype, oid, int(size) if size.isdigit() else -1)
    return entries


def read_blob(ctx: DocContext, git_dir: Path, oid: str, path: str) -> bytes:
    """A blob's bytes (callers check its size from the tree first)."""
    proc = gitcmd.run_git(["cat-file", "blob", oid], git_dir=git_dir, timeout=120)
    if proc.returncode != 0:
        raise ctx.error(f"{path}: cannot read the file: {gitcmd.stderr_summary(proc)}",
                        file=path)
    return proc.stdout


def resolve_entry(ctx: DocContext, entries: dict[str, TreeEntry], path: str,
                  git_dir: Path) -> TreeEntry:
    """The file `path` names, following symlinks only to files inside the repository;
    submodules and links that leave the repository are refused."""
    current = path
    for _ in range(SYMLINK_HOPS):
        entry = entries.get(current)
        if entry is None:
            raise ctx.error(f"{path}: symlink target {current} is not a file in the commit",
                            file=path)
        if entry.mode == "160000":
            raise ctx.error(f"{path} is a submodule; documents in submodules are not fetched",
                            file=path)
        if entry.mode != "120000":
            return entry
        if entry.size > 4096:
            raise ctx.error(f"{path}: symlink target is too long", file=path)
        target = read_blob(ctx, git_dir, entry.oid, path).decode("utf-8", "replace")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
        if target.startswith("/") or joined == ".." or joined.startswith("../") or joined == ".":
            raise ctx.error(f"{path} is a symlink pointing outside the document repository "
                            f"(to {target!r}); refusing to follow it", file=path)
        current = joined
    raise ctx.error(f"{path}: too many levels of symlinks", file=path)
