"""Knowledge documents: fetch a leaf's `document` at its exact commit, convert, chunk.

    chunks = load_chunks(leaf, config.documents, cache_dir)

Where documents come from (`document.repo`), checked before git runs:
- an `https://` URL (no user name or password in it: a qna.yaml is public);
- an absolute local path to a git repository;
- a URL listed in `documents.mirrors` (`.sdg-ci.yaml`): the mirror is a local git repository
  path (relative paths are resolved against the taxonomy root) or an https URL;
- a URL listed in `documents.snapshots`: a folder of files (relative to the taxonomy root)
  from which `build_snapshot_repo` makes a git repository with a fixed author, committer and
  date, so its commit SHA depends only on the files. The folder is rebuilt into a temporary
  repo and checked against `document.commit` on every load (an edited folder is an error
  that names the new SHA, even when the commit is cached). The example taxonomy serves its
  knowledge documents this way, so it works offline with no setup step.
Everything else is refused with a DocumentError: `ssh://`, `git://`, `http://`, `file://`,
scp-style `host:path`, `ext::`/`fd::`/any `transport::address`, relative paths, URLs with
credentials, whitespace or control characters.

How a commit is fetched: into `<cache_dir>/documents/<sha256(repo, commit)[:32]>/`, a bare
repository made with `git init --bare --template=` (no sample hooks) and
`git fetch --depth 1 <url> <commit>`, falling back to a full fetch of branches and tags when
the server refuses to serve a commit by SHA; then the object must be a commit. The fetch
runs git with an argument list (never a shell), a timeout (`documents.fetch_timeout_s`),
no terminal prompts, no system/global git config (so no `url.insteadOf` rewrites or
credential helpers), only the one transport the source needs (`protocol.allow=never` plus
`protocol.https.allow` or `protocol.file.allow`), no hooks, no submodules and no
replace refs. A finished fetch is renamed into place atomically and reused by every later
run without touching the network or the source: a commit never changes. (Private repos: with
global git config ignored, use a local mirror; proxies still work through HTTPS_PROXY.)

Nothing is checked out. Files are read from the commit's tree (`git ls-tree`, `git cat-file`),
so no hook, filter, symlink or case-folding trick can write outside the cache:
- `document.patterns` are globs relative to the repo root (`*`, `?`, `[...]` within one path
  segment; `**` for any number of folders; `*` skips dot-files as glob does). A pattern that
  is absolute, holds a `..` segment or a backslash is refused; a pattern that matches no
  `.md`/`.pdf` file is an error.
- Only `.md` and `.pdf` files are converted. Other files a wildcard pattern matches are
  skipped and listed in `DocumentSet.skipped` (and logged); they never fail the leaf on
  their own, but a pattern matching only such files does.
- A symlink is followed only when its target is a file inside the repository; a symlink
  pointing outside (absolute, or `..` above the root) is refused. Submodules are refused.
- A file over `documents.max_document_bytes` is refused before it is read.

Conversion: Markdown is read as UTF-8 (a BOM is dropped; undecodable bytes are an error
naming the file and offset). PDFs are read with pypdf: encrypted files are opened only if
their user password is empty, files over `documents.max_pdf_pages` pages are refused, and
the extracted text is capped at `max_document_bytes` characters (pypdf itself caps stream
decompression). Headings are found from font size (lines set larger than the body text) and
from the PDF outline; paragraphs from vertical gaps; running headers and footers repeated on
most pages are dropped. Converted files are cached by blob ID beside the fetch.
Chunking is in `chunking.py`.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import json
import logging
import os
import posixpath
import re
import shutil
import statistics
import subprocess
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sdg_ci.config import DocumentSettings
from sdg_ci.errors import SdgCiError
from sdg_ci.taxonomy.chunking import Block, Chunk, chunk_blocks, parse_markdown
from sdg_ci.taxonomy.leaf import Leaf

__all__ = [
    "Chunk",
    "Document",
    "DocumentError",
    "DocumentSet",
    "build_snapshot_repo",
    "load_chunks",
    "load_documents",
]

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".md": "markdown", ".pdf": "pdf"}
CONVERTER_VERSION = 1  # bump when conversion output changes, to invalidate cached text
_HEX_COMMIT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_SYMLINK_HOPS = 8

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


class DocumentError(SdgCiError):
    """A leaf's documents cannot be fetched, read or converted; the message says which."""

    def __init__(self, message: str, *, leaf: str = "", repo: str = "", commit: str = "",
                 file: str = "", pattern: str = ""):
        super().__init__(message)
        self.leaf, self.repo, self.commit = leaf, repo, commit
        self.file, self.pattern = file, pattern


@dataclass
class Document:
    source: str  # path inside the document repository (the path the pattern matched)
    kind: str  # "markdown" | "pdf"
    blob: str  # git object ID of the content
    size: int  # bytes
    blocks: list[Block] = field(default_factory=list)


@dataclass
class DocumentSet:
    repo: str
    commit: str
    documents: list[Document]
    skipped: list[str] = field(default_factory=list)  # "path: reason" for files not converted


# --------------------------------------------------------------------------------------
# Public API


def load_chunks(leaf: Leaf, settings: DocumentSettings, cache_dir: Path) -> list[Chunk]:
    """The chunks of every document the leaf references, in pattern order, then path order."""
    docs = load_documents(leaf, settings, cache_dir)
    chunks: list[Chunk] = []
    for doc in docs.documents:
        unit = "page" if doc.kind == "pdf" else "line"
        chunks.extend(chunk_blocks(doc.blocks, doc.source, settings.chunk_tokens, unit))
    return chunks


def load_documents(leaf: Leaf, settings: DocumentSettings, cache_dir: Path) -> DocumentSet:
    """Fetch (or reuse) the leaf's document commit and convert the files its patterns match."""
    repo, commit, patterns = _document_fields(leaf)
    ctx = _Context(leaf.rel_path, repo, commit)
    source = _resolve_source(ctx, repo, settings, Path(leaf.root))
    git_dir = _ensure_commit(ctx, source, Path(cache_dir), settings)
    entries = _list_tree(ctx, git_dir, settings)
    selected, skipped = _select(ctx, entries, patterns, git_dir, settings)
    documents = []
    for path, entry in selected:
        documents.append(_convert(ctx, git_dir, path, entry, settings))
    for note in skipped:  # one line each: a file name may hold a newline and "::error"
        log.warning("%s: %s", ctx.prefix, " ".join(note.split()))
    return DocumentSet(repo, commit, documents, skipped)


# --------------------------------------------------------------------------------------
# Leaf fields and error context


@dataclass
class _Context:
    leaf: str
    repo: str
    commit: str

    @property
    def prefix(self) -> str:
        where = f"document {self.repo}" if self.repo else "document"
        if self.commit:
            where += f" at {self.commit[:12]}"
        return f"{self.leaf}: {where}" if self.leaf else where

    def error(self, detail: str, *, file: str = "", pattern: str = "") -> DocumentError:
        return DocumentError(f"{self.prefix}: {detail}", leaf=self.leaf, repo=self.repo,
                             commit=self.commit, file=file, pattern=pattern)


def _document_fields(leaf: Leaf) -> tuple[str, str, list[str]]:
    ctx = _Context(leaf.rel_path, "", "")
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
    return repo, commit, [p.strip() for p in patterns]


# --------------------------------------------------------------------------------------
# Where to fetch from


@dataclass
class _Source:
    url: str  # what git fetches from: an https URL or an absolute local path
    protocol: str  # "https" | "file"
    snapshot_dir: Path | None = None  # build this folder into `url` first
    label: str = ""  # for messages: "mirror /x/y for https://..."


_TRANSPORT_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::")
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP_LIKE = re.compile(r"^[^/]*:")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(?::[0-9]{1,5})?$")


def _normalise_url(url: str) -> str:
    url = url.strip().rstrip("/")
    return url[:-4] if url.endswith(".git") else url


def _lookup(table: dict[str, str], repo: str) -> str | None:
    wanted = _normalise_url(repo)
    for key, value in table.items():
        if _normalise_url(key) == wanted:
            return value
    return None


def _resolve_source(ctx: _Context, repo: str, settings: DocumentSettings, root: Path) -> _Source:
    snapshot = _lookup(settings.snapshots, repo)
    if snapshot is not None:
        folder = _local_path(snapshot, root)
        return _Source("", "file", folder, f"snapshot of {folder}")
    mirror = _lookup(settings.mirrors, repo)
    if mirror is not None:
        target = _check_location(ctx, mirror, root, what="the mirror in documents.mirrors",
                                 allow_relative=True)
        return target
    return _check_location(ctx, repo, root, what="document.repo", allow_relative=False)


def _local_path(value: str, root: Path) -> Path:
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else (root / path).resolve()


def _check_location(ctx: _Context, value: str, root: Path, *, what: str,
                    allow_relative: bool) -> _Source:
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
    return _Source(str(path), "file", label=f"{what} {path}")


def _check_https(ctx: _Context, value: str, refuse: str) -> _Source:
    rest = value[len("https://"):]
    host, _, _ = rest.partition("/")
    if "@" in host:
        raise ctx.error(refuse + "it holds a user name or password; credentials do not belong "
                        "in a qna.yaml (use a mirror, or git's credential setup)")
    if not host or not _HOST.match(host):
        raise ctx.error(refuse + f"{host!r} is not a valid host name")
    if "\\" in value or " " in value:
        raise ctx.error(refuse + "it holds spaces or backslashes")
    return _Source(value, "https", label=value)


# --------------------------------------------------------------------------------------
# Running git safely


def _git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GIT_") and k not in ("SSH_ASKPASS", "SSH_AUTH_SOCK")}
    env.update({
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_PROTOCOL_FROM_USER": "0",
        "LC_ALL": "C",
    })
    env.update(extra or {})
    return env


def _git(args: list[str], *, git_dir: Path | None = None, protocol: str = "file",
         timeout: float = 60, input: bytes | None = None, env: dict[str, str] | None = None,
         safe_dirs: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run git with hardened settings; raises subprocess.TimeoutExpired / OSError."""
    cmd = [
        "git",
        "-c", "protocol.allow=never",
        "-c", f"protocol.{protocol}.allow=always",
        "-c", f"core.hooksPath={os.devnull}",
        "-c", "core.symlinks=false",
        "-c", "core.fsmonitor=false",
        "-c", "credential.helper=",
        "-c", "submodule.recurse=false",
        "-c", "fetch.recurseSubmodules=false",
        "-c", "commit.gpgSign=false",
        "-c", "gc.auto=0",
        "-c", "maintenance.auto=false",
    ]
    for folder in safe_dirs:
        cmd += ["-c", f"safe.directory={folder}"]
    if git_dir is not None:
        cmd.append(f"--git-dir={git_dir}")
    cmd += args
    extra = dict(env or {})
    extra["GIT_ALLOW_PROTOCOL"] = protocol
    return subprocess.run(cmd, input=input, capture_output=True, timeout=timeout,
                          env=_git_env(extra), check=False)


def _stderr(proc: subprocess.CompletedProcess) -> str:
    text = proc.stderr.decode("utf-8", "replace").strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("hint:")]
    return " / ".join(lines[-3:]) or f"git exited with status {proc.returncode}"


# --------------------------------------------------------------------------------------
# Fetching into the cache


def cache_key(repo: str, commit: str) -> str:
    return hashlib.sha256(f"{_normalise_url(repo)}\n{commit}".encode()).hexdigest()[:32]


def _ensure_commit(ctx: _Context, source: _Source, cache_dir: Path,
                   settings: DocumentSettings) -> Path:
    base = (cache_dir / "documents").resolve()
    final = base / cache_key(ctx.repo, ctx.commit)
    if source.snapshot_dir is not None:
        # a snapshot folder can be edited in place: check it still builds the pinned commit
        # on every load (cheap: a few git calls per file), then fetch from a private copy
        base.mkdir(parents=True, exist_ok=True)
        snap = base / f".snapshot-{uuid.uuid4().hex}.git"
        try:
            _check_snapshot(ctx, source.snapshot_dir, snap)
            return _ensure_fetched(ctx, _Source(str(snap), "file", label=source.label),
                                   base, final, settings)
        finally:
            shutil.rmtree(snap, ignore_errors=True)
    return _ensure_fetched(ctx, source, base, final, settings)


def _check_snapshot(ctx: _Context, folder: Path, snap: Path) -> None:
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


def _ensure_fetched(ctx: _Context, source: _Source, base: Path, final: Path,
                    settings: DocumentSettings) -> Path:
    if final.is_dir():
        if _has_commit(final, ctx.commit):
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
            if not (final.is_dir() and _has_commit(final, ctx.commit)):  # not a concurrent run's
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def _has_commit(git_dir: Path, commit: str) -> bool:
    try:
        proc = _git(["cat-file", "-t", commit], git_dir=git_dir, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and proc.stdout.strip() == b"commit"


def _fetch_into(ctx: _Context, source: _Source, tmp: Path, settings: DocumentSettings) -> None:
    timeout = settings.fetch_timeout_s
    safe = (source.url,) if source.protocol == "file" else ()
    where = source.label or source.url

    def run(args: list[str], git_dir: Path | None = tmp) -> subprocess.CompletedProcess:
        try:
            return _git(args, git_dir=git_dir, protocol=source.protocol, timeout=timeout,
                        safe_dirs=safe)
        except subprocess.TimeoutExpired:
            raise ctx.error(f"git {args[0]} from {where} took longer than {timeout:g} s "
                            "(documents.fetch_timeout_s)") from None
        except OSError as exc:
            raise ctx.error(f"cannot run git: {exc}") from exc

    init = run(["init", "--bare", "--quiet", "--template=", str(tmp)], git_dir=None)
    if init.returncode != 0:
        raise ctx.error(f"git init failed: {_stderr(init)}")
    common = ["--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head"]
    shallow = run(["fetch", *common, "--depth", "1", source.url, ctx.commit])
    if shallow.returncode == 0 and _has_commit(tmp, ctx.commit):
        return
    # the server may refuse a commit that is not a branch tip: fetch all branches and tags
    full = run(["fetch", *common, source.url, "+refs/heads/*:refs/heads/*",
                "+refs/tags/*:refs/tags/*"])
    if full.returncode != 0:
        raise ctx.error(f"cannot fetch from {where}: {_stderr(full)} "
                        f"(fetching the commit directly said: {_stderr(shallow)})")
    kind = _git(["cat-file", "-t", ctx.commit], git_dir=tmp, timeout=30)
    if kind.returncode != 0:
        raise ctx.error(f"commit {ctx.commit} is not in {where} (no branch or tag reaches it); "
                        "check document.commit")
    if kind.stdout.strip() != b"commit":
        raise ctx.error(f"{ctx.commit} is a {kind.stdout.decode().strip()}, not a commit")


# --------------------------------------------------------------------------------------
# The commit's files


@dataclass
class _Entry:
    mode: str
    type: str
    oid: str
    size: int  # -1 for submodules


def _list_tree(ctx: _Context, git_dir: Path, settings: DocumentSettings) -> dict[str, _Entry]:
    proc = _git(["ls-tree", "-r", "-l", "-z", "--full-tree", ctx.commit], git_dir=git_dir,
                timeout=settings.fetch_timeout_s)
    if proc.returncode != 0:
        raise ctx.error(f"cannot list the files of the commit: {_stderr(proc)}")
    entries: dict[str, _Entry] = {}
    for record in proc.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, otype, oid, size = meta.decode().split()
        path = raw_path.decode("utf-8", "surrogateescape")
        entries[path] = _Entry(mode, otype, oid, int(size) if size.isdigit() else -1)
    return entries


def _read_blob(ctx: _Context, git_dir: Path, oid: str, path: str) -> bytes:
    proc = _git(["cat-file", "blob", oid], git_dir=git_dir, timeout=120)
    if proc.returncode != 0:
        raise ctx.error(f"{path}: cannot read the file: {_stderr(proc)}", file=path)
    return proc.stdout


def _check_pattern(ctx: _Context, pattern: str) -> list[str]:
    def bad(why: str) -> DocumentError:
        return ctx.error(f"pattern {pattern!r} is refused: {why}", pattern=pattern)

    if "\0" in pattern or "\\" in pattern:
        raise bad("it holds a backslash or NUL; use forward slashes")
    if pattern.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", pattern):
        raise bad("it is absolute; patterns are relative to the document repo's root")
    parts = [p for p in pattern.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise bad("'..' would leave the document repository")
    if not parts:
        raise bad("it names no file")
    return parts


def _match(pattern: list[str], path: list[str]) -> bool:
    if not pattern:
        return not path
    head = pattern[0]
    if head == "**":
        return any(_match(pattern[1:], path[i:]) for i in range(len(path) + 1)
                   if all(not p.startswith(".") for p in path[:i]))
    if not path:
        return False
    name = path[0]
    if name.startswith(".") and not head.startswith("."):
        return False
    return fnmatch.fnmatchcase(name, head) and _match(pattern[1:], path[1:])


def _select(ctx: _Context, entries: dict[str, _Entry], patterns: list[str], git_dir: Path,
            settings: DocumentSettings) -> tuple[list[tuple[str, _Entry]], list[str]]:
    chosen: dict[str, _Entry] = {}
    skipped: list[str] = []
    for pattern in patterns:
        parts = _check_pattern(ctx, pattern)
        matched = sorted(p for p in entries if _match(parts, p.split("/")))
        supported = 0
        for path in matched:
            entry = _resolve_entry(ctx, entries, path, git_dir)
            suffix = posixpath.splitext(path)[1].lower()
            if suffix not in SUPPORTED_SUFFIXES:
                note = f"{path}: skipped (only .md and .pdf files are converted)"
                if note not in skipped:
                    skipped.append(note)
                continue
            supported += 1
            if entry.size > settings.max_document_bytes:
                raise ctx.error(
                    f"{path} is {entry.size:,} bytes, over the documents.max_document_bytes "
                    f"limit of {settings.max_document_bytes:,}", file=path, pattern=pattern)
            chosen.setdefault(path, entry)
        if not supported:
            found = (f"matched {len(matched)} file(s), none .md or .pdf" if matched
                     else "matched no file")
            raise ctx.error(f"pattern {pattern!r} {found} in the commit", pattern=pattern)
    return list(chosen.items()), skipped


def _resolve_entry(ctx: _Context, entries: dict[str, _Entry], path: str, git_dir: Path) -> _Entry:
    current = path
    for _ in range(_SYMLINK_HOPS):
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
        target = _read_blob(ctx, git_dir, entry.oid, path).decode("utf-8", "replace")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
        if target.startswith("/") or joined == ".." or joined.startswith("../") or joined == ".":
            raise ctx.error(f"{path} is a symlink pointing outside the document repository "
                            f"(to {target!r}); refusing to follow it", file=path)
        current = joined
    raise ctx.error(f"{path}: too many levels of symlinks", file=path)


# --------------------------------------------------------------------------------------
# Conversion


def _convert(ctx: _Context, git_dir: Path, path: str, entry: _Entry,
             settings: DocumentSettings) -> Document:
    kind = SUPPORTED_SUFFIXES[posixpath.splitext(path)[1].lower()]
    doc = Document(path, kind, entry.oid, entry.size)
    cached = git_dir / "sdg-ci-text" / f"{entry.oid}-{kind}-v{CONVERTER_VERSION}.json"
    if cached.is_file():
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
            if data.get("pages", 0) <= settings.max_pdf_pages:
                doc.blocks = [Block(**b) for b in data["blocks"]]
                return doc
        except (OSError, ValueError, TypeError, KeyError):
            pass  # rebuild below
    raw = _read_blob(ctx, git_dir, entry.oid, path)
    if len(raw) > settings.max_document_bytes:
        raise ctx.error(f"{path} is {len(raw):,} bytes, over the documents.max_document_bytes "
                        f"limit of {settings.max_document_bytes:,}", file=path)
    pages = 0
    if kind == "markdown":
        doc.blocks = parse_markdown(_decode_markdown(ctx, raw, path))
    else:
        doc.blocks, pages = pdf_blocks(raw, path, settings, ctx)
    if not doc.blocks:
        raise ctx.error(f"{path} holds no text", file=path)
    try:
        cached.parent.mkdir(exist_ok=True)
        tmp = cached.with_suffix(f".{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps({"pages": pages, "blocks": [asdict(b) for b in doc.blocks]}),
                       encoding="utf-8")
        os.replace(tmp, cached)
    except OSError:
        pass  # a cache that cannot be written only costs time
    return doc


def _decode_markdown(ctx: _Context, raw: bytes, path: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\0" in raw:
        raise ctx.error(f"{path} holds NUL bytes: it is binary, not Markdown text", file=path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ctx.error(
            f"{path} is not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} "
            f"(line {line}) cannot be decoded; save the file as UTF-8", file=path) from exc


@dataclass
class _Line:
    page: int
    text: str
    y: float | None
    size: float


def pdf_blocks(raw: bytes, path: str, settings: DocumentSettings,
               ctx: _Context | None = None) -> tuple[list[Block], int]:
    """Blocks (headings and paragraphs) of a PDF, and its page count."""
    ctx = ctx or _Context("", "", "")
    import pypdf
    from pypdf.errors import PdfReadError

    def broken(why: object) -> DocumentError:
        return ctx.error(f"{path}: cannot read the PDF: {why}", file=path)

    try:
        reader = pypdf.PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception as exc:  # noqa: BLE001 - missing crypto backend, bad key data
                raise ctx.error(f"{path} is an encrypted PDF that cannot be opened ({exc}); "
                                "commit an unencrypted copy", file=path) from exc
            if not opened:
                raise ctx.error(f"{path} is an encrypted PDF that needs a password; commit an "
                                "unencrypted copy", file=path)
        n_pages = len(reader.pages)
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError, AssertionError, IndexError, NotImplementedError) as exc:
        raise broken(exc) from exc
    if n_pages > settings.max_pdf_pages:
        raise ctx.error(f"{path} has {n_pages} pages, over the documents.max_pdf_pages limit "
                        f"of {settings.max_pdf_pages}", file=path)
    outline = _outline_titles(reader)
    lines: list[_Line] = []
    chars = 0
    for number in range(n_pages):
        try:
            page_lines = _page_lines(reader.pages[number], number + 1)
        except Exception as exc:  # noqa: BLE001 - pypdf raises many types on broken content
            raise ctx.error(f"{path}: cannot extract the text of page {number + 1}: {exc}",
                            file=path) from exc
        chars += sum(len(ln.text) for ln in page_lines)
        if chars > settings.max_document_bytes:
            raise ctx.error(f"{path}: the extracted text passes {settings.max_document_bytes:,} "
                            "characters (documents.max_document_bytes)", file=path)
        lines.extend(page_lines)
    return _pdf_structure(lines, n_pages, outline), n_pages


def _outline_titles(reader) -> dict[int, set[str]]:
    titles: dict[int, set[str]] = {}

    def walk(items, depth: int = 0) -> None:
        if depth > 8:
            return
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
                continue
            try:
                page = reader.get_destination_page_number(item) + 1
                titles.setdefault(page, set()).add(_norm(str(item.title)))
            except Exception:  # noqa: BLE001 - an outline is a hint only
                continue

    try:
        walk(reader.outline)
    except Exception:  # noqa: BLE001
        return {}
    return titles


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _page_lines(page, number: int) -> list[_Line]:
    pieces: list[tuple[str, float | None, float]] = []

    def visit(text, cm, tm, font_dict, font_size):
        y = size = None
        if text.strip():
            try:
                # the text origin and vertical scale in page space: tm x cm
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                scale = abs(tm[2] * cm[1] + tm[3] * cm[3]) or 1.0
                size = float(font_size or 0) * scale
            except (TypeError, IndexError):
                y = size = None
        pieces.append((text, y, size))

    page.extract_text(visitor_text=visit)
    lines: list[_Line] = []
    text, y, size = "", None, 0.0
    for piece, piece_y, piece_size in pieces:
        parts = piece.split("\n")
        for k, part in enumerate(parts):
            if k:
                if text.strip():
                    lines.append(_Line(number, " ".join(text.split()), y, size))
                text, y, size = "", None, 0.0
            if part.strip() and y is None:
                y, size = piece_y, piece_size or 0.0
            text += part
    if text.strip():
        lines.append(_Line(number, " ".join(text.split()), y, size))
    return lines


def _pdf_structure(lines: list[_Line], n_pages: int, outline: dict[int, set[str]]) -> list[Block]:
    lines = _drop_running_lines(lines, n_pages)
    if not lines:
        return []
    weights: Counter[float] = Counter()
    for ln in lines:
        weights[round(ln.size * 2) / 2] += len(ln.text)
    body = weights.most_common(1)[0][0] or 0.0
    heading_sizes = sorted({round(ln.size * 2) / 2 for ln in lines
                            if body and ln.size >= body * 1.15 and len(ln.text) <= 200},
                           reverse=True)

    def heading_level(ln: _Line) -> int:
        size = round(ln.size * 2) / 2
        if size in heading_sizes:
            return min(heading_sizes.index(size) + 1, 6)
        if len(ln.text) <= 200 and _norm(ln.text) in outline.get(ln.page, ()):
            return min(len(heading_sizes) + 1, 6)
        return 0

    gaps = [a.y - b.y for a, b in zip(lines, lines[1:], strict=False)
            if a.page == b.page and a.y is not None and b.y is not None and a.y > b.y
            and abs(a.size - body) < 0.5 and abs(b.size - body) < 0.5]
    line_gap = statistics.median(gaps) if gaps else None

    blocks: list[Block] = []
    para: list[_Line] = []

    def flush() -> None:
        if para:
            text = " ".join(ln.text for ln in para)
            blocks.append(Block(text, "text", start=para[0].page, end=para[-1].page))
            para.clear()

    previous: _Line | None = None
    for ln in lines:
        level = heading_level(ln)
        if level:
            flush()
            last = blocks[-1] if blocks else None
            if (last and last.kind == "heading" and last.level == level and previous
                    and previous.page == ln.page and heading_level(previous) == level):
                last.title += " " + ln.text  # a heading wrapped over two lines
                last.text = "#" * level + " " + last.title
                last.tokens = -1
                last.__post_init__()
            else:
                blocks.append(Block("#" * level + " " + ln.text, "heading", level, ln.text,
                                    start=ln.page))
        else:
            if para and previous is not None and _new_paragraph(previous, ln, line_gap):
                flush()
            para.append(ln)
        previous = ln
    flush()
    return blocks


def _new_paragraph(prev: _Line, cur: _Line, line_gap: float | None) -> bool:
    if prev.page != cur.page:
        # a paragraph that runs over a page break continues unless the last line ended one
        return prev.text.endswith((".", "!", "?", ":", '"', "'", ")"))
    if abs(prev.size - cur.size) >= 0.5:
        return True
    if prev.y is None or cur.y is None or line_gap is None:
        return False
    gap = prev.y - cur.y
    return gap < 0 or gap > line_gap * 1.4


def _drop_running_lines(lines: list[_Line], n_pages: int) -> list[_Line]:
    """Drop headers and footers: a line (digits ignored) among the first or last two lines
    of more than half of the pages, when there are at least three pages."""
    if n_pages < 3:
        return lines
    by_page: dict[int, list[int]] = {}
    for i, ln in enumerate(lines):
        by_page.setdefault(ln.page, []).append(i)
    seen: Counter[str] = Counter()
    edge: set[int] = set()
    for indexes in by_page.values():
        ends = indexes[:2] + indexes[-2:]
        edge.update(ends)
        for key in {re.sub(r"\d+", "#", lines[i].text) for i in ends}:
            seen[key] += 1
    running = {key for key, count in seen.items() if count > n_pages / 2}
    return [ln for i, ln in enumerate(lines)
            if not (i in edge and re.sub(r"\d+", "#", ln.text) in running)]


# --------------------------------------------------------------------------------------
# Deterministic snapshot repositories


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
        proc = _git(args, git_dir=dest, input=data, env=env, timeout=120)
        if proc.returncode != 0:
            raise SdgCiError(f"git {args[0]} failed in {dest}: {_stderr(proc)}")
        return proc.stdout.decode().strip()

    if not (dest / "HEAD").is_file():
        dest.parent.mkdir(parents=True, exist_ok=True)
        proc = _git(["init", "--bare", "--quiet", "--template=", "--object-format=sha1",
                     "--initial-branch=main", str(dest)], timeout=60)
        if proc.returncode != 0:
            raise SdgCiError(f"git init failed for {dest}: {_stderr(proc)}")

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

