"""Where a leaf's documents come from: the leaf's `document` fields and the URL policy.

Checked before git runs. Accepted: an `https://` URL (no user name or password), an
absolute local path to a git repository, a URL mapped by `documents.mirrors` to a local
repository (relative paths against the taxonomy root) or an https URL, and a URL mapped by
`documents.snapshots` to a folder of files. Everything else is refused with a
DocumentError: `ssh://`, `git://`, `http://`, `file://`, scp-style `host:path`,
`ext::`/`fd::`/any `transport::address`, relative paths, URLs with credentials, whitespace
or control characters.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from sdg_ci.config import DocumentSettings
from sdg_ci.taxonomy.documents.context import DocContext
from sdg_ci.taxonomy.leaf import Leaf

_HEX_COMMIT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_TRANSPORT_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::")
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP_LIKE = re.compile(r"^[^/]*:")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(?::[0-9]{1,5})?$")


@dataclass(frozen=True)
class DocumentRef:
    """What a knowledge leaf asks for: a repository, a full commit SHA, and patterns."""

    repo: str
    commit: str
    patterns: list[str]


@dataclass
class Source:
    """What git fetches from, after the policy and the mirror/snapshot tables."""

    url: str  # an https URL or an absolute local path
    protocol: str  # "https" | "file"
    snapshot_dir: Path | None = None  # build this folder into a repository first
    label: str = ""  # for messages: "the mirror in documents.mirrors /x/y"


def document_ref(leaf: Leaf) -> DocumentRef:
    """The leaf's `document` mapping, checked; a DocumentError says what is wrong."""
    ctx = DocContext(leaf.rel_path, "", "")
    data = leaf.data if isinstance(leaf.data, dict) else {}
    doc = data.get("document")
    if not isinstance(doc, dict):
        raise ctx.error("the leaf has no `document` mapping with repo, commit and patterns")
    repo, commit, patterns = doc.get("repo"), doc.get("commit"), doc.get("patterns")
    if not isinstance(repo, str) or not repo.strip():
        raise ctx.error("document.repo must be a non-empty string")
    ctx.repo = repo = repo.strip()
    if not isinstance(commit, str) or not _HEX_COMMIT.match(commit.strip().lower()):
        raise ctx.error(
            f"document.commit must be a full 40-character commit SHA, got {commit!r}; "
            "a branch, tag or short SHA can move or be ambiguous"
        )
    commit = commit.strip().lower()
    if (not isinstance(patterns, list) or not patterns
            or not all(isinstance(p, str) and p.strip() for p in patterns)):
        raise ctx.error("document.patterns must be a non-empty list of non-empty strings")
    return DocumentRef(repo, commit, [p.strip() for p in patterns])


def normalise_url(url: str) -> str:
    """The form mirror/snapshot keys and cache keys compare (no trailing `/` or `.git`)."""
    url = url.strip().rstrip("/")
    return url[:-4] if url.endswith(".git") else url


def _lookup(table: dict[str, str], repo: str) -> str | None:
    wanted = normalise_url(repo)
    for key, value in table.items():
        if normalise_url(key) == wanted:
            return value
    return None


def resolve_source(ctx: DocContext, repo: str, settings: DocumentSettings,
                   root: Path) -> Source:
    """Where to fetch `repo` from, or a DocumentError when the policy refuses it."""
    snapshot = _lookup(settings.snapshots, repo)
    if snapshot is not None:
        folder = _local_path(snapshot, root)
        return Source("", "file", folder, f"snapshot of {folder}")
    mirror = _lookup(settings.mirrors, repo)
    if mirror is not None:
        return _check_location(ctx, mirror, root, what="the mirror in documents.mirrors",
                               allow_relative=True)
    return _check_location(ctx, repo, root, what="document.repo", allow_relative=False)


def _local_path(value: str, root: Path) -> Path:
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else (root / path).resolve()


def _check_location(ctx: DocContext, value: str, root: Path, *, what: str,
                    allow_relative: bool) -> Source:
    value = value.strip()
    refuse = f"{what} {value!r} is refused: "
    if not value or any(ord(c) < 32 or c.isspace() and c != " " for c in value) or "\x7f" in value:
        raise ctx.error(refuse + "it is empty or holds control characters")
    if value.startswith("-"):
        raise ctx.error(refuse + "it starts with '-', which git would read as an option")
    if "::" in value or _TRANSPORT_PREFIX.match(value):
        raise ctx.error(refuse + "'transport::address' forms (ext::, fd::, file::, ...) can "
                        "run commands or open local files; use an https:// URL")
    scheme = _URL_SCHEME.match(value)
    if scheme:
        name = scheme.group(1).lower()
        if name != "https":
            hint = {
                "http": "plain http can be tampered with in transit",
                "ssh": "ssh needs keys and can run a configured command",
                "git": "the git:// protocol is unauthenticated and unencrypted",
                "file": "use a plain absolute path (or a mirror in .sdg-ci.yaml)",
            }.get(name, "only https:// URLs and local paths are accepted")
            raise ctx.error(refuse + f"the {name}:// transport is not allowed ({hint})")
        return _check_https(ctx, value, refuse)
    if _SCP_LIKE.match(value) and not value.startswith(("/", ".", "~")):
        raise ctx.error(refuse + "'host:path' is git's ssh shorthand; only https:// URLs and "
                        "local paths are accepted")
    path = Path(os.path.expanduser(value))
    if not path.is_absolute():
        if not allow_relative:
            raise ctx.error(refuse + "a relative path means nothing to other readers of the "
                            "leaf; use an https:// URL and map it to a local repo with "
                            "documents.mirrors in .sdg-ci.yaml")
        path = root / path
    path = path.resolve()
    return Source(str(path), "file", label=f"{what} {path}")


def _check_https(ctx: DocContext, value: str, refuse: str) -> Source:
    rest = value[len("https://"):]
    host, _, _ = rest.partition("/")
    if "@" in host:
        raise ctx.error(refuse + "it holds a user name or password; credentials do not belong "
                        "in a qna.yaml (use a mirror, or git's credential setup)")
    if not host or not _HOST.match(host):
        raise ctx.error(refuse + f"{host!r} is not a valid host name")
    if "\\" in value or " " in value:
        raise ctx.error(refuse + "it holds spaces or backslashes")
    return Source(value, "https", label=value)
