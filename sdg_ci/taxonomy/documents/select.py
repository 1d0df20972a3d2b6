"""`document.patterns` to files: which files of the commit a leaf's patterns pick.

Patterns are globs relative to the repo root (`*`, `?`, `[...]` within one path segment;
`**` for any number of folders; `*` skips dot-files as glob does). Matching is linear in
the path length whatever the pattern: the pattern is run as a small automaton over the
path's segments (a set of positions), never by trying every split for each `**`. A pattern
that is
absolute, holds a `..` segment or a backslash is refused; a pattern that matches no
`.md`/`.pdf` file is an error. Other files a wildcard matches are skipped and listed (they
never fail the leaf on their own, but a pattern matching only such files does).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from fnmatch import fnmatchcase
from pathlib import Path

from sdg_ci.config import DocumentSettings
from sdg_ci.taxonomy.documents.context import DocContext, DocumentError
from sdg_ci.taxonomy.documents.tree import TreeEntry, resolve_entry

SUPPORTED_SUFFIXES = {".md": "markdown", ".pdf": "pdf"}


def check_pattern(ctx: DocContext, pattern: str) -> list[str]:
    """The pattern's path segments, or a DocumentError when it could leave the repository."""
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
    # `**/**` means what `**` means: collapsing keeps the automaton as small as the pattern
    collapsed: list[str] = []
    for part in parts:
        if not (part == "**" and collapsed and collapsed[-1] == "**"):
            collapsed.append(part)
    return collapsed


def _with_empty_stars(pattern: list[str], positions: set[int]) -> set[int]:
    """Add the positions reachable by letting each `**` match no folder at all."""
    out: set[int] = set()
    for i in positions:
        while i not in out:
            out.add(i)
            if i < len(pattern) and pattern[i] == "**":
                i += 1
    return out


def match(pattern: list[str], path: list[str]) -> bool:
    """The segments of `path` match the segments of `pattern` (from `check_pattern`).

    A set of pattern positions advances one path segment at a time, so the work is at
    most len(path) x len(pattern) segment comparisons, whatever the pattern. `**` and `*`
    never match a dot-file or dot-folder unless the pattern segment starts with a dot."""
    positions = _with_empty_stars(pattern, {0})
    end = len(pattern)
    for name in path:
        hidden = name.startswith(".")
        advanced: set[int] = set()
        for i in positions:
            if i == end:
                continue
            head = pattern[i]
            if head == "**":
                if not hidden:
                    advanced.add(i)
            elif (not hidden or head.startswith(".")) and fnmatchcase(name, head):
                advanced.add(i + 1)
        if not advanced:
            return False
        positions = _with_empty_stars(pattern, advanced)
    return end in positions


def _supported(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in SUPPORTED_SUFFIXES


def select_files(ctx: DocContext, entries: dict[str, TreeEntry], patterns: list[str],
                 git_dir: Path, settings: DocumentSettings,
                 check_cancel: Callable[[], None] = lambda: None,
                 ) -> tuple[list[tuple[str, TreeEntry]], list[str]]:
    """(path, file entry) to convert, in pattern order then path order; and skip notes.

    Counts and sizes come from the tree's metadata (`ls-tree -l`) before any file is read:
    more than `documents.max_documents` files, or one over `max_document_bytes`, is an
    error. `check_cancel` runs between files."""
    checked = [(pattern, check_pattern(ctx, pattern)) for pattern in patterns]
    matches: list[tuple[str, list[str]]] = []
    wanted: set[str] = set()
    for pattern, parts in checked:
        matched = []
        for n, path in enumerate(entries):
            if n % 256 == 0:
                check_cancel()
            if match(parts, path.split("/")):
                matched.append(path)
        matched.sort()
        matches.append((pattern, matched))
        wanted.update(p for p in matched if _supported(p))
    if len(wanted) > settings.max_documents:
        raise ctx.error(
            f"the patterns match {len(wanted):,} .md/.pdf files, over the "
            f"documents.max_documents limit of {settings.max_documents:,}; narrow "
            "document.patterns", pattern=patterns[0] if len(patterns) == 1 else "")
    chosen: dict[str, TreeEntry] = {}
    skipped: list[str] = []
    for pattern, matched in matches:
        supported = 0
        for path in matched:
            check_cancel()
            entry = resolve_entry(ctx, entries, path, git_dir)
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
