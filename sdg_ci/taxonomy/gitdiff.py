"""Which taxonomy leaves a change touches, computed by git itself.

git finds the comparison point (`git merge-base`, what a pull request shows) and the
changed files with rename detection (`git diff --raw -z -M`); we only read its answer, so
the cost does not grow with the number of commits on a branch. Python then maps changed
files to leaves:

- a leaf is `compositional_skills/**/qna.yaml` or `knowledge/**/qna.yaml`
  (`sdg_ci.taxonomy.leaf`); statuses are added, modified, renamed (with `old_path`) and
  deleted;
- reasons say why a leaf counts as changed: `content` (its qna.yaml changed), `renamed`
  (it moved), `attribution` (the `attribution.txt` beside it was added, changed or
  removed), `document` (a knowledge leaf's `document.repo/commit/patterns` changed);
- a changed file that looks like a leaf but is not one (`qna.yml`, `QnA.yaml`, or a
  `qna.yaml` outside the leaf roots) is reported under `misnamed`, never skipped; the
  upstream taxonomy's own `foundational_skills/` tree holds no leaves and is not listed.

Modes: `working-tree` (local default: commits, staged, unstaged and untracked changes),
`staged` (the index, for pre-commit), `committed` (HEAD only, the default in CI) and
`commits` (`A..B` two commits as they are, `A...B` from their merge-base).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sdg_ci.errors import SdgCiError
from sdg_ci.gitcmd import USER_REPO_PROTOCOLS, run_git
from sdg_ci.records.diff import LeafChange  # re-exported: the diff's record type
from sdg_ci.settings import default_pr_base, in_github_actions
from sdg_ci.taxonomy.leaf import (
    LEAF_NAME,
    LEAF_ROOTS,
    find_leaf_files,
    is_leaf_lookalike,
    is_leaf_path,
)
from sdg_ci.taxonomy.yamlnodes import YamlLoadError, load_with_marks

ADDED, MODIFIED, RENAMED, DELETED = "added", "modified", "renamed", "deleted"
# the order of the count line: "3 leaves changed: 2 modified, 1 added"
STATUS_ORDER = (MODIFIED, ADDED, RENAMED, DELETED)

CONTENT, MOVED, ATTRIBUTION, DOCUMENT = "content", "renamed", "attribution", "document"
REASON_ORDER = (CONTENT, MOVED, ATTRIBUTION, DOCUMENT)
MISNAMED, MISPLACED = "misnamed", "misplaced"
FOUNDATIONAL = "foundational_skills"

ATTRIBUTION_NAME = "attribution.txt"
EMPTY_BASE = "empty"
MODES = ("auto", "working-tree", "staged", "committed", "commits")
# tried in order when no --base is given (GITHUB_BASE_REF, as origin/<ref>, comes first)
DEFAULT_BASES = ("origin/main", "main", "origin/HEAD")
# git answers a diff in seconds; a fetch that deepens a big history can take minutes
GIT_TIMEOUT_S = 300.0
FETCH_TIMEOUT_S = 900.0
FETCH_ADVICE = (
    "set `fetch-depth: 0` on actions/checkout (or run `git fetch --unshallow`), "
    "or pass --fetch to let sdg-ci fetch what it needs"
)


@dataclass
class DiffResult:
    """What `sdg-ci diff` prints; `leaves` and `misnamed` are sorted by path."""

    root: Path
    base: str  # as given or chosen ("origin/main", "empty", "A" of A..B)
    merge_base: str | None  # the commit compared against; None for the empty base
    head: str | None  # the commit on the new side; None outside git or before a commit
    mode: str  # working-tree | staged | committed | commits | filesystem
    leaves: list[LeafChange] = field(default_factory=list)
    misnamed: list[LeafChange] = field(default_factory=list)

    @property
    def changed(self) -> list[LeafChange]:
        """Leaves to validate and generate: everything but deletions."""
        return [leaf for leaf in self.leaves if leaf.status != DELETED]

    @property
    def deleted(self) -> list[LeafChange]:
        return [leaf for leaf in self.leaves if leaf.status == DELETED]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUS_ORDER, 0)
        for leaf in self.leaves:
            counts[leaf.status] += 1
        return counts

    def count_line(self) -> str:
        """`3 leaves changed: 2 modified, 1 added`, or `no leaf changed`."""
        total = len(self.leaves)
        if not total:
            return "no leaf changed"
        parts = [f"{n} {status}" for status, n in self.counts().items() if n]
        noun = "leaf" if total == 1 else "leaves"
        return f"{total} {noun} changed: {', '.join(parts)}"

    def to_json(self) -> dict:
        return {
            "base": self.base,
            "merge_base": self.merge_base,
            "head": self.head,
            "mode": self.mode,
            "leaves": [leaf.to_json() for leaf in self.leaves],
            "misnamed": [m.to_json() for m in self.misnamed],
        }


def misnamed_message(change: LeafChange) -> str:
    """Why a misnamed file is not a leaf, and what to do."""
    parts = PurePosixPath(change.path).parts
    name = parts[-1]
    if MISPLACED in change.reasons:
        inner = next((i for i, p in enumerate(parts[1:-1], 1) if p in LEAF_ROOTS), None)
        if inner is not None:  # already under a leaf folder, of a taxonomy inside this one
            nested = "/".join(parts[:inner])
            return (
                f"not a leaf of this taxonomy: it is under {nested}/{parts[inner]}/, and leaves "
                f"count only under the root's own compositional_skills/ or knowledge/; if "
                f"{nested}/ is a taxonomy of its own, check it with -C {nested}"
            )
        return (
            f"not a leaf: {name} files count only under compositional_skills/ or knowledge/; "
            "move it there"
        )
    return f"not a leaf: only files named exactly {LEAF_NAME} are leaves; rename it to {LEAF_NAME}"


def misnamed_reason(rel_path: str) -> str | None:
    """`misnamed` for `qna.yml`/`QnA.yaml`, `misplaced` for a qna.yaml outside the leaf
    roots, None for leaves and for files that do not look like one (hidden folders too)."""
    parts = PurePosixPath(rel_path).parts
    if not parts or any(p.startswith(".") for p in parts[:-1]):
        return None
    if parts[0] == FOUNDATIONAL and len(parts) > 1:  # the upstream taxonomy's own tree,
        return None  # which no tool reads as leaves: not a mistake to point out
    if is_leaf_lookalike(parts[-1]):
        return MISNAMED
    if parts[-1] == LEAF_NAME and not is_leaf_path(rel_path):
        return MISPLACED
    return None


# --- entry points ------------------------------------------------------------------------


def diff_taxonomy(
    repo_path: str | os.PathLike,
    base: str | None = None,
    *,
    mode: str = "auto",
    commits: str | None = None,
    fetch: bool = False,
    env: Mapping[str, str] | None = None,
) -> DiffResult:
    """The leaves changed under the taxonomy root `repo_path` (which may be a subfolder).

    `base`: any commit-ish, or `"empty"` (every leaf is added); None picks, in order,
    `origin/$GITHUB_BASE_REF`, `origin/main`, `main`, `origin/HEAD` (for `staged`: HEAD).
    `commits`: `A..B` or `A...B` (implies mode `commits`). `fetch`: fetch a missing base
    and deepen a shallow clone until the merge-base is found. A path outside git gives
    every leaf as added. Raises SdgCiError with what to do when git cannot answer.
    """
    root = Path(repo_path).resolve()
    env = os.environ if env is None else env
    if commits is not None:
        if mode not in ("auto", "commits"):
            raise SdgCiError(f"--commits cannot be combined with mode {mode!r}")
        if base is not None:
            raise SdgCiError("--commits A..B already names the base; drop --base")
        mode = "commits"
    elif mode == "commits":
        raise SdgCiError("mode 'commits' needs a range: --commits A..B")
    if mode not in MODES:
        raise SdgCiError(f"unknown diff mode {mode!r}; use one of {', '.join(MODES[1:])}")
    if mode == "auto":
        mode = "committed" if _in_ci(env) else "working-tree"
    if base is not None and base.startswith("-"):
        raise SdgCiError(f"base {base!r} looks like an option, not a git revision")

    toplevel = _work_tree_of(root)
    if toplevel is None:
        if mode in ("staged", "commits"):
            raise SdgCiError(f"{root} is not in a git repository; --{mode} needs one")
        if base not in (None, EMPTY_BASE):
            raise SdgCiError(
                f"{root} is not in a git repository, so there is no {base!r} to compare "
                "with; drop --base to list every leaf as added"
            )
        return _all_added(root)
    return _GitDiff(toplevel, root, fetch=fetch, env=env).run(base, mode, commits)


def changed_leaf_files(
    root: str | os.PathLike,
    base: str | None = None,
    mode: str = "auto",
    *,
    commits: str | None = None,
    fetch: bool = False,
    include_misnamed: bool = True,
) -> list[str]:
    """Added, modified and renamed leaf files relative to `root`, sorted (for validate and
    generate). Deleted leaves are never included. Misnamed look-alikes are included by
    default so that validation reports them (like `find_leaf_files`); generation callers
    feed only the leaves validation passed, or pass `include_misnamed=False`."""
    result = diff_taxonomy(root, base, mode=mode, commits=commits, fetch=fetch)
    paths = {leaf.path for leaf in result.changed}
    if include_misnamed:
        paths.update(m.path for m in result.misnamed)
    return sorted(paths)


def _in_ci(env: Mapping[str, str]) -> bool:
    return in_github_actions(env) or env.get("CI", "").lower() in ("1", "true")


def _all_added(root: Path) -> DiffResult:
    """Outside git: every leaf on disk is added."""
    leaves, misnamed = [], []
    for rel in find_leaf_files(root):
        if is_leaf_path(rel):
            leaves.append(LeafChange(rel, ADDED, None, (CONTENT,)))
        elif reason := misnamed_reason(rel):
            misnamed.append(LeafChange(rel, ADDED, None, (reason,)))
    return DiffResult(root, EMPTY_BASE, None, None, "filesystem", leaves, misnamed)


def _user_git(toplevel: Path, args: list[str], *, env: Mapping[str, str] | None = None,
              input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """git in the user's checkout (their environment and config, sdg_ci's hardening)."""
    timeout = FETCH_TIMEOUT_S if args and args[0] == "fetch" else GIT_TIMEOUT_S
    try:
        return run_git(args, cwd=toplevel, env=env, input=input, timeout=timeout,
                       isolated=False, protocol=USER_REPO_PROTOCOLS)
    except subprocess.TimeoutExpired:
        raise SdgCiError(f"git {args[0]} took longer than {timeout:g} s in {toplevel}") from None
    except OSError as exc:
        raise SdgCiError(f"git is not usable here ({exc}); install git") from exc


def _dubious(stderr: str, where: Path) -> SdgCiError | None:
    if "dubious ownership" not in stderr:
        return None
    named = re.search(r"repository at '([^']+)'", stderr)
    folder = named.group(1) if named else str(where)
    return SdgCiError(
        f"git refuses {folder}: it is owned by another user; run "
        f"`git config --global --add safe.directory {folder}`"
    )


def _work_tree_of(root: Path) -> Path | None:
    """The top of the git work tree holding `root`; None outside git."""
    if not root.is_dir():
        raise SdgCiError(f"{root}: no such taxonomy folder")
    where = _user_git(root, ["rev-parse", "--is-bare-repository", "--is-inside-work-tree"])
    if where.returncode != 0:
        stderr = where.stderr.decode("utf-8", "replace")
        if refused := _dubious(stderr, root):
            raise refused
        return None
    bare, inside = (where.stdout.decode().split() + ["", ""])[:2]
    top = _user_git(root, ["rev-parse", "--show-toplevel"])
    if bare == "true" or inside != "true" or top.returncode != 0:
        raise SdgCiError(f"{root}: is inside a bare git repository; run it in a checkout")
    return Path(top.stdout.decode("utf-8", "surrogateescape").strip()).resolve()


# --- git ---------------------------------------------------------------------------------


class _GitFailed(Exception):
    def __init__(self, stderr: str, status: int | None):
        super().__init__(stderr)
        self.stderr = stderr
        self.status = status


@dataclass
class _Entry:
    """One line of `git diff --raw -z`: paths relative to the taxonomy root."""

    status: str  # A M D R T U X
    score: int  # similarity for R, 100 otherwise
    old_path: str | None
    new_path: str | None
    old_sha: str | None
    new_sha: str | None  # None for working-tree content git did not hash


class _GitDiff:
    def __init__(self, toplevel: Path, root: Path, *, fetch: bool, env: Mapping[str, str]):
        self.root = root
        self.fetch = fetch
        self.env = env
        self.toplevel = toplevel
        try:
            prefix = root.relative_to(self.toplevel).as_posix()
        except ValueError:
            raise SdgCiError(f"{root} is not inside the git work tree {self.toplevel}") from None
        self.prefix = "" if prefix == "." else prefix
        self.pathspec = [f":(top,literal){self.prefix}"] if self.prefix else [":(top)"]
        self._null = None

    # thin helpers ----------------------------------------------------------------------

    def git(self, *args: str, env: Mapping[str, str] | None = None) -> bytes:
        """Run git, return stdout bytes; failures become _GitFailed (or SdgCiError when
        git refuses the repository as a whole)."""
        run_env = {"GIT_OPTIONAL_LOCKS": "0", **(env or {})}
        proc = _user_git(self.toplevel, list(args), env=run_env)
        if proc.returncode != 0:
            stderr = proc.stderr.decode("utf-8", "replace").strip()
            if refused := _dubious(stderr, self.toplevel):
                raise refused
            raise _GitFailed(stderr, proc.returncode)
        return proc.stdout

    def text(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        return self.git(*args, env=env).decode("utf-8", "surrogateescape").strip()

    def resolve(self, ref: str) -> str | None:
        try:
            # refs starting with "-" are refused before this (no --end-of-options: git < 2.30)
            return self.text("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") or None
        except _GitFailed:
            return None

    def is_shallow(self) -> bool:
        try:
            return self.text("rev-parse", "--is-shallow-repository") == "true"
        except _GitFailed:
            return False

    def empty_tree(self) -> str:
        # hash-object without -w: git knows the empty tree without it being stored
        try:
            return self.text("hash-object", "-t", "tree", "--stdin")
        except _GitFailed as exc:
            raise SdgCiError(f"git hash-object failed: {exc.stderr}") from exc

    def blob(self, sha: str | None) -> bytes | None:
        if not sha or set(sha) == {"0"}:
            return None
        try:
            # a missing blob (shallow, partial clone) is "unknown"; never fetch it lazily
            return self.git("cat-file", "blob", sha, env={"GIT_NO_LAZY_FETCH": "1"})
        except _GitFailed:
            return None

    def remotes(self) -> list[str]:
        try:
            return self.text("remote").split()
        except _GitFailed:
            return []

    # the run ---------------------------------------------------------------------------

    def run(self, base: str | None, mode: str, commits: str | None) -> DiffResult:
        head = self.resolve("HEAD")
        unborn_ok = (mode == "working-tree" and base == EMPTY_BASE) or (
            mode == "staged" and base in (None, EMPTY_BASE)
        )
        if head is None and not unborn_ok:
            raise SdgCiError(
                f"the git repository at {self.toplevel} has no commits yet, so there is "
                "nothing to compare with; commit first, or pass --base empty to list every "
                "leaf as added (or --staged to compare the index)"
            )
        if mode == "commits":
            base_label, old, head = self.commit_range(commits or "")
        elif base == EMPTY_BASE:
            base_label, old = EMPTY_BASE, None
        elif mode == "staged" and base is None:
            base_label, old = ("HEAD" if head else EMPTY_BASE), head
        else:
            base_label, base_sha = self.pick_base(base)
            old = self.merge_base(base_label, base_sha, head)

        old_tree = old or self.empty_tree()
        raw = ["--raw", "-z", "-M", "--no-abbrev", "--no-ext-diff", "--no-textconv"]
        if mode == "working-tree":
            entries = self.working_tree_diff(raw, old_tree)
            new_exists = self._exists_on_disk
            new_content = self._read_disk
        elif mode == "staged":
            entries = self.parse(self.git("diff", "--cached", *raw, old_tree, "--",
                                          *self.pathspec))
            new_exists = self._exists_in_index
            new_content = None
        else:
            entries = self.parse(self.git("diff", *raw, old_tree, head, "--", *self.pathspec))
            new_exists = self._exists_in(head)
            new_content = None
        leaves, misnamed = classify(entries, new_exists, self.blob, new_content)
        return DiffResult(self.root, base_label, old, head, mode, leaves, misnamed)

    def commit_range(self, spec: str) -> tuple[str, str, str]:
        """`A..B`: B against A as it is (what a push moved); `A...B`: B against their
        merge-base. An empty side means HEAD."""
        three = "..." in spec
        left, sep, right = spec.partition("..." if three else "..")
        if not sep:
            raise SdgCiError(f"--commits wants a range A..B (or A...B), got {spec!r}")
        left, right = left or "HEAD", right or "HEAD"
        for ref in (left, right):
            if ref.startswith("-"):
                raise SdgCiError(f"{ref!r} looks like an option, not a git revision")
        a = self.need_commit(left)
        b = self.need_commit(right)
        if three:
            return left, self.merge_base(left, a, b), b
        return left, a, b

    def need_commit(self, ref: str) -> str:
        sha = self.resolve(ref)
        if sha is None and self.fetch:
            sha = self.fetch_ref(ref)
        if sha is None:
            raise SdgCiError(self.missing_message(ref))
        return sha

    def pick_base(self, base: str | None) -> tuple[str, str]:
        if base is not None:
            return base, self.need_commit(base)
        pr_base = default_pr_base(self.env.get("GITHUB_BASE_REF"))
        if pr_base:  # a pull request in Actions: its base, never a guess
            return pr_base, self.need_commit(pr_base)
        own_upstream = self.remote_head_is_current_branch()
        for ref in DEFAULT_BASES:
            if ref == "origin/HEAD" and own_upstream:
                continue  # a branch compared with its own upstream would hide its changes
            sha = self.resolve(ref)
            if sha is not None:
                return ref, sha
        if self.fetch and "origin" in self.remotes():
            sha = self.fetch_ref("origin/main")
            if sha is not None:
                return "origin/main", sha
        shallow = (
            f" This is a shallow clone: {FETCH_ADVICE}." if self.is_shallow() else ""
        )
        tried = [r for r in DEFAULT_BASES if not (r == "origin/HEAD" and own_upstream)]
        skipped = (
            " (origin/HEAD is this branch's own upstream, not a base)" if own_upstream else ""
        )
        raise SdgCiError(
            f"no base to compare with: none of {', '.join(tried)} exists{skipped}; pass "
            f"--base REF (a branch, tag or commit), or --base empty to list every leaf as "
            f"added.{shallow}"
        )

    def remote_head_is_current_branch(self) -> bool:
        """origin/HEAD names the checked-out branch (a single-branch clone of a feature)."""
        try:
            remote_head = self.text("symbolic-ref", "-q", "refs/remotes/origin/HEAD")
            branch = self.text("symbolic-ref", "-q", "--short", "HEAD")
        except _GitFailed:
            return False
        return remote_head == f"refs/remotes/origin/{branch}"

    def missing_message(self, ref: str) -> str:
        if self.is_shallow():
            return f"base {ref!r} is not in this shallow clone: {FETCH_ADVICE}"
        remote, _, branch = ref.partition("/")
        if branch and remote in self.remotes():
            return (
                f"base {ref!r} not found: fetch it with `git fetch {remote} {branch}`, "
                "or pass --fetch"
            )
        return (
            f"base {ref!r} not found: no branch, tag or commit by that name in "
            f"{self.toplevel}; check the name (`git branch -a`), or pass --base empty"
        )

    def merge_base(self, label: str, base_sha: str, head: str) -> str:
        tries = 0
        while True:
            try:
                found = self.text("merge-base", base_sha, head)
            except _GitFailed as exc:
                if exc.status != 1:
                    raise SdgCiError(f"git merge-base {label} HEAD failed: {exc.stderr}") from exc
                found = ""
            if found:
                return found.split()[0]
            if not self.is_shallow():
                raise SdgCiError(
                    f"{label} and HEAD have no common ancestor: the histories are "
                    "unrelated; pass --base with a commit of this history, or --base empty "
                    "to list every leaf as added"
                )
            if not self.fetch or tries >= 6:
                raise SdgCiError(
                    f"no merge-base of {label} and HEAD in this shallow clone (the history "
                    f"is cut before they meet): {FETCH_ADVICE}"
                    if not self.fetch
                    else f"no merge-base of {label} and HEAD even after deepening the clone"
                )
            self.deepen(label, head, 50 * 4**tries if tries < 5 else None)
            tries += 1

    def remote_for(self, ref: str) -> tuple[str | None, str | None]:
        """(`origin`, `refs/heads/main:refs/remotes/origin/main`) for `origin/main`."""
        remotes = self.remotes()
        remote, _, branch = ref.partition("/")
        if branch and remote in remotes:
            return remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}"
        if "origin" in remotes:
            return "origin", None
        return (remotes[0] if remotes else None), None

    def fetch_ref(self, ref: str) -> str | None:
        remote, refspec = self.remote_for(ref)
        if remote is None:
            return None
        args = ["fetch", "--quiet", "--no-tags"]
        if self.is_shallow():
            args.append("--depth=1")  # the deepen loop brings the rest if needed
        try:
            if refspec:
                self.git(*args, remote, refspec)
                return self.resolve(ref)
            self.git(*args, remote, ref)  # a branch, tag or SHA of the remote
            return self.resolve(ref) or self.resolve("FETCH_HEAD")
        except _GitFailed:
            return None

    def deepen(self, label: str, head: str, depth: int | None) -> None:
        remote, refspec = self.remote_for(label)
        if remote is None:
            raise SdgCiError(
                f"cannot deepen this shallow clone: it has no remote; {FETCH_ADVICE}"
            )
        how = [f"--deepen={depth}"] if depth else ["--unshallow"]
        wants = [w for w in (refspec, head) if w]
        # HEAD by SHA first (a detached merge commit is on no branch); a server that refuses
        # unadvertised SHAs still deepens the base and the default refspec
        error: _GitFailed | None = None
        for attempt in (wants, wants[:-1]):
            try:
                self.git("fetch", "--quiet", "--no-tags", *how, remote, *attempt)
                return
            except _GitFailed as exc:
                error = exc
        raise SdgCiError(f"git fetch {' '.join(how)} {remote} failed: {error.stderr}")

    def working_tree_diff(self, raw: list[str], old_tree: str) -> list[_Entry]:
        """Against the working tree, untracked files included: a throwaway copy of the
        index gets the untracked files as intent-to-add, so git's rename detection also
        sees a file moved with plain `mv`. The real index is never touched."""
        tmp = tempfile.mkdtemp(prefix="sdg-ci-index-")
        try:
            index = Path(tmp) / "index"
            real = Path(self.text("rev-parse", "--git-path", "index"))
            real = real if real.is_absolute() else self.toplevel / real
            if real.is_file():
                # copy2 keeps the index's mtime: git trusts an entry's cached stat only when
                # the file is older than the index ("racy git"); a fresh mtime would hide an
                # edit made in the same second as the last `git add`
                shutil.copy2(real, index)
            env = {"GIT_INDEX_FILE": str(index)}
            try:
                self.git("add", "--intent-to-add", "--all", "--", *self.pathspec, env=env)
            except _GitFailed as exc:
                if "did not match any files" not in exc.stderr:
                    raise SdgCiError(f"git add --intent-to-add failed: {exc.stderr}") from exc
            return self.parse(self.git("diff", *raw, old_tree, "--", *self.pathspec, env=env))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def parse(self, out: bytes) -> list[_Entry]:
        """`:100644 100644 <sha> <sha> M\\0path\\0` (R and C carry two paths)."""
        fields = out.split(b"\0")
        entries: list[_Entry] = []
        i = 0
        while i < len(fields) and fields[i].startswith(b":"):
            meta = fields[i][1:].decode().split()
            _, _, old_sha, new_sha, status = meta[:5]
            letter, score = status[0], int(status[1:] or 100)
            if letter in "RC":
                old, new = fields[i + 1], fields[i + 2]
                i += 3
            else:
                old = new = fields[i + 1]
                i += 2
            old_rel, new_rel = self.rel(old), self.rel(new)
            if letter == "A":
                old_rel = None
            elif letter == "D":
                new_rel = None
            elif letter == "C":  # not asked for (-C), but never lose the new file
                letter, old_rel = "A", None
            if old_rel is None and new_rel is None:
                continue
            entries.append(_Entry(letter, score, old_rel, new_rel, _sha(old_sha), _sha(new_sha)))
        return entries

    def rel(self, raw_path: bytes) -> str | None:
        path = raw_path.decode("utf-8", "surrogateescape")
        if not self.prefix:
            return path
        if path.startswith(self.prefix + "/"):
            return path[len(self.prefix) + 1 :]
        return None

    def full(self, rel: str) -> str:
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def _exists_on_disk(self, rels: list[str]) -> set[str]:
        return {r for r in rels if (self.root / r).is_file()}

    def _read_disk(self, rel: str) -> bytes | None:
        try:
            return (self.root / rel).read_bytes()
        except OSError:
            return None

    def _exists_in_index(self, rels: list[str]) -> set[str]:
        if not rels:
            return set()
        out = self.git("ls-files", "-z", "--", *(f":(top,literal){self.full(r)}" for r in rels))
        return self._rels(out)

    def _exists_in(self, commit: str) -> Callable[[list[str]], set[str]]:
        def exists(rels: list[str]) -> set[str]:
            if not rels:
                return set()
            pathspecs = (f":(top,literal){self.full(r)}" for r in rels)
            out = self.git("ls-tree", "-r", "-z", "--name-only", "--full-tree", commit, "--",
                           *pathspecs)
            return self._rels(out)

        return exists

    def _rels(self, out: bytes) -> set[str]:
        return {r for p in out.split(b"\0") if p and (r := self.rel(p)) is not None}


def _sha(sha: str) -> str | None:
    return None if set(sha) == {"0"} else sha


# --- files -> leaves ---------------------------------------------------------------------


@dataclass
class _Leaf:
    status: str
    old_path: str | None = None
    reasons: set[str] = field(default_factory=set)
    old_sha: str | None = None
    new_sha: str | None = None


def classify(
    entries: list[_Entry],
    new_exists: Callable[[list[str]], set[str]],
    read_blob: Callable[[str | None], bytes | None],
    read_new: Callable[[str], bytes | None] | None = None,
) -> tuple[list[LeafChange], list[LeafChange]]:
    """Map changed files to changed leaves and misnamed files (pure but for the readers).

    `new_exists(paths)`: which of these paths exist on the new side; `read_blob(sha)`:
    a blob's bytes; `read_new(path)`: new-side bytes when the entry has no blob id
    (working tree)."""
    leaves: dict[str, _Leaf] = {}
    misnamed: dict[str, LeafChange] = {}
    attributions: list[tuple[str, str | None, str | None, int]] = []  # (kind, old, new, score)

    def add_misnamed(path: str, status: str, old_path: str | None) -> None:
        if reason := misnamed_reason(path):
            misnamed[path] = LeafChange(path, status, old_path, (reason,))

    for e in entries:
        old, new = e.old_path, e.new_path
        if e.status == "R" and old is not None and new is not None:
            old_leaf, new_leaf = is_leaf_path(old), is_leaf_path(new)
            if old_leaf and new_leaf:
                reasons = {MOVED} | ({CONTENT} if e.score < 100 else set())
                leaves[new] = _Leaf(RENAMED, old, reasons, e.old_sha, e.new_sha)
            else:
                if old_leaf:
                    leaves[old] = _Leaf(DELETED, None, {CONTENT}, e.old_sha, None)
                if new_leaf:
                    leaves[new] = _Leaf(ADDED, None, {CONTENT}, None, e.new_sha)
                else:
                    add_misnamed(new, RENAMED if misnamed_reason(old) else ADDED,
                                 old if misnamed_reason(old) else None)
            if _is_attribution(old) or _is_attribution(new):
                attributions.append(("R", old, new, e.score))
            continue
        path = new if new is not None else old
        assert path is not None
        status = {"A": ADDED, "D": DELETED}.get(e.status, MODIFIED)
        if is_leaf_path(path):
            leaves[path] = _Leaf(status, None, {CONTENT}, e.old_sha, e.new_sha)
        elif status != DELETED:
            add_misnamed(path, status, None)
        if _is_attribution(path):
            attributions.append((e.status, old, new, e.score))

    _apply_attributions(leaves, attributions, new_exists)
    _apply_documents(leaves, read_blob, read_new)

    changes = [
        LeafChange(path, leaf.status, leaf.old_path,
                   tuple(r for r in REASON_ORDER if r in leaf.reasons))
        for path, leaf in leaves.items()
    ]
    return sorted(changes, key=lambda c: c.path), sorted(misnamed.values(), key=lambda c: c.path)


def _is_attribution(path: str | None) -> bool:
    return path is not None and PurePosixPath(path).name == ATTRIBUTION_NAME


def _leaf_beside(attribution_path: str) -> str:
    return str(PurePosixPath(attribution_path).with_name(LEAF_NAME))


def _apply_attributions(leaves, attributions, new_exists) -> None:
    """An attribution.txt added, changed or removed marks the leaf beside it."""
    touched_new: list[str] = []  # attribution added/changed here (new side)
    touched_old: list[str] = []  # attribution gone from here (old side)
    for kind, old, new, score in attributions:
        if kind == "R" and _is_attribution(old) and _is_attribution(new):
            moved_leaf = leaves.get(_leaf_beside(new))
            if moved_leaf and moved_leaf.old_path == _leaf_beside(old):
                if score < 100:
                    moved_leaf.reasons.add(ATTRIBUTION)
                continue  # moved along with its leaf
        if new is not None and _is_attribution(new):
            touched_new.append(_leaf_beside(new))
        if old is not None and _is_attribution(old) and (kind in ("D", "R")):
            touched_old.append(_leaf_beside(old))

    pending: list[str] = []
    renamed_from = {leaf.old_path: path for path, leaf in leaves.items() if leaf.old_path}
    for leaf_path in touched_new:
        leaf = leaves.get(leaf_path)
        if leaf is not None and leaf.status != DELETED:
            leaf.reasons.add(ATTRIBUTION)
        elif leaf is None:
            pending.append(leaf_path)
    for leaf_path in touched_old:
        if leaf_path in leaves:
            leaves[leaf_path].reasons.add(ATTRIBUTION)
        elif leaf_path in renamed_from:  # the leaf moved on, its attribution did not
            leaves[renamed_from[leaf_path]].reasons.add(ATTRIBUTION)
        else:
            pending.append(leaf_path)
    pending = sorted({p for p in pending if is_leaf_path(p)})
    for leaf_path in new_exists(pending):
        leaves[leaf_path] = _Leaf(MODIFIED, None, {ATTRIBUTION})


def _apply_documents(leaves, read_blob, read_new) -> None:
    """A knowledge leaf whose document.repo/commit/patterns changed gets `document`."""
    for path, leaf in leaves.items():
        if leaf.status not in (MODIFIED, RENAMED) or CONTENT not in leaf.reasons:
            continue
        if PurePosixPath(path).parts[0] != "knowledge":
            continue
        old = document_ref(read_blob(leaf.old_sha))
        new_bytes = read_blob(leaf.new_sha) if leaf.new_sha else None
        if new_bytes is None and read_new is not None:
            new_bytes = read_new(path)
        new = document_ref(new_bytes)
        if old is not None and new is not None and old != new:
            leaf.reasons.add(DOCUMENT)


def document_ref(raw: bytes | None) -> tuple[str, str, tuple[str, ...]] | None:
    """(repo, commit, sorted patterns) of a knowledge leaf; None when it cannot be read
    (then no claim is made: validation reports the broken file)."""
    if raw is None:
        return None
    try:
        data, _ = load_with_marks(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, YamlLoadError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    doc = data.get("document")
    if not isinstance(doc, dict):
        return ("", "", ())  # no reference at all is a reference too (added or removed)
    patterns = doc.get("patterns")
    if isinstance(patterns, list):
        patterns = tuple(sorted(str(p).strip() for p in patterns))
    else:
        patterns = (str(patterns).strip(),) if patterns is not None else ()
    return (str(doc.get("repo") or "").strip(), str(doc.get("commit") or "").strip(), patterns)
