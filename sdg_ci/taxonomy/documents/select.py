"""`document.patterns` to files: which files of the commit a leaf's patterns pick.

Patterns are globs relative to the repo root (`*`, `?`, `[...]` within one path segment;
`**` for any number of folders; `*` skips dot-files as glob does). A pattern that is
absolute, holds a `..` segment or a backslash is refused; a pattern that matches no
`.md`/`.pdf` file is an error. Other files a wildcard matches are skipped and listed (they
never fail the leaf on their own, but a pattern matching only such files does).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
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
    return parts


def match(pattern: list[str], path: list[str]) -> bool:
    """The segments of `path` match the segments of `pattern`."""
    if not pattern:
        return not path
    head = pattern[0]
    if head == "**":
        return any(match(pattern[1:], path[i:]) for i in range(len(path) + 1)
                   if all(not p.startswith(".") for p in path[:i]))
    if not path:
        return False
    name = path[0]
    if name.startswith(".") and not head.startswith("."):
        return False
    return fnmatch.fnmatchcase(name, head) and match(pattern[1:], path[1:])


def select_files(ctx: DocContext, entries: dict[str, TreeEntry], patterns: list[str],
                 git_dir: Path, settings: DocumentSettings,
                 ) -> tuple[list[tuple[str, TreeEntry]], list[str]]:
    """(path, file entry) to convert, in pattern order then path order; and skip notes."""
    chosen: dict[str, TreeEntry] = {}
    skipped: list[str] = []
    for pattern in patterns:
        parts = check_pattern(ctx, pattern)
        matched = sorted(p for p in entries if match(parts, p.split("/")))
        supported = 0
        for path in matched:
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
