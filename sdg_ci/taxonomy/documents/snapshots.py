"""Deterministic snapshot repositories: a folder of files becomes a commit whose SHA depends
only on the files, so a taxonomy can ship its documents and still pin `document.commit`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sdg_ci import gitcmd
from sdg_ci.errors import SdgCiError
from sdg_ci.taxonomy.documents.context import DocContext

# fixed identity for snapshot repositories: the commit SHA depends only on the files
SNAPSHOT_IDENTITY = {
    "GIT_AUTHOR_NAME": "sdg_ci examples",
    "GIT_AUTHOR_EMAIL": "examples@sdg-ci.invalid",
    "GIT_AUTHOR_DATE": "1735689600 +0000",  # 2025-01-01T00:00:00Z
    "GIT_COMMITTER_NAME": "sdg_ci examples",
    "GIT_COMMITTER_EMAIL": "examples@sdg-ci.invalid",
    "GIT_COMMITTER_DATE": "1735689600 +0000",
}
SNAPSHOT_MESSAGE = "Knowledge documents snapshot (built by sdg_ci)\n"


def build_snapshot_repo(source_dir: Path, dest: Path) -> str:
    """Make (or update) the bare git repo `dest` whose branch `main` holds exactly the files
    of `source_dir`, and return its commit SHA.

    The SHA depends only on the files' relative paths and bytes: every file is stored with
    mode 100644, content is stored without filters (no line-ending conversion), dot-files are
    left out, author/committer/date/message are fixed (SNAPSHOT_IDENTITY), and the object
    format is SHA-1. Symlinks in `source_dir` are refused.
    """
    source_dir = Path(source_dir).resolve()
    dest = Path(dest).resolve()
    if not source_dir.is_dir():
        raise SdgCiError(f"{source_dir} is not a folder")

    def git(args: list[str], data: bytes | None = None, env: dict[str, str] | None = None) -> str:
        proc = gitcmd.run_git(args, git_dir=dest, input=data, env=env, timeout=120)
        if proc.returncode != 0:
            raise SdgCiError(f"git {args[0]} failed in {dest}: {gitcmd.stderr_summary(proc)}")
        return proc.stdout.decode().strip()

    if not (dest / "HEAD").is_file():
        dest.parent.mkdir(parents=True, exist_ok=True)
        proc = gitcmd.run_git(["init", "--bare", "--quiet", "--template=", "--object-format=sha1",
                               "--initial-branch=main", str(dest)], timeout=60)
        if proc.returncode != 0:
            raise SdgCiError(f"git init failed for {dest}: {gitcmd.stderr_summary(proc)}")

    def tree_of(folder: Path) -> str | None:
        lines = []
        for child in sorted(folder.iterdir(), key=lambda p: p.name):
            if child.name.startswith("."):
                continue
            if child.is_symlink():
                raise SdgCiError(f"{child} is a symlink; snapshot folders hold plain files only")
            if child.is_dir():
                sub = tree_of(child)
                if sub:
                    lines.append(f"040000 tree {sub}\t{child.name}")
            elif child.is_file():
                oid = git(["hash-object", "-w", "--no-filters", "--stdin"], child.read_bytes())
                lines.append(f"100644 blob {oid}\t{child.name}")
        if not lines:
            return None
        return git(["mktree"], ("\n".join(lines) + "\n").encode())

    tree = tree_of(source_dir)
    if tree is None:
        raise SdgCiError(f"{source_dir} holds no files")
    commit = git(["commit-tree", tree], SNAPSHOT_MESSAGE.encode(), env=SNAPSHOT_IDENTITY)
    git(["update-ref", "refs/heads/main", commit])
    return commit


def check_snapshot(ctx: DocContext, folder: Path, snap: Path) -> None:
    """Build `folder` into the repo `snap`; its commit must be the one the leaf pins."""
    if not folder.is_dir():
        raise ctx.error(f"documents.snapshots maps this repo to {folder}, which is not a folder")
    try:
        built = build_snapshot_repo(folder, snap)
    except (SdgCiError, OSError, subprocess.SubprocessError) as exc:
        raise ctx.error(f"cannot build the snapshot repository: {exc}") from exc
    if built != ctx.commit:
        raise ctx.error(
            f"documents.snapshots builds commit {built} from {folder}, but the leaf asks for "
            f"{ctx.commit}: the documents changed; set document.commit to {built} (or run "
            "the script that rebuilds them and use the SHA it prints)"
        )
