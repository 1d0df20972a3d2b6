#!/usr/bin/env python3
"""Write the example knowledge PDF (`examples/knowledge-docs/git-packfiles-and-refs.pdf`).

The text below is the document; this script lays it out and writes the PDF objects by hand
(no PDF library needed to *make* it, so the bytes depend only on this file): standard
Helvetica fonts with WinAnsiEncoding, uncompressed content streams, an outline (bookmarks) with
one entry per heading, no dates and no random IDs. Running it twice gives the same bytes, and
`tests/documents/test_example_docs.py` checks that the committed PDF is what this script
writes. After editing the text: run it, then `examples/make_docs_repo.py` to get the new commit
SHA for the knowledge leaf.

Usage: python examples/make_example_pdf.py [OUT.pdf]
"""

from __future__ import annotations

import sys
from pathlib import Path

TITLE = "Packfiles, References and Garbage Collection in Git"

# Markup: "# " the title, "## " a section heading, "- " a list item; paragraphs are separated
# by blank lines, and the lines of a paragraph are joined with spaces.
TEXT = """\
# Packfiles, References and Garbage Collection in Git

This document continues the description of the Git object store. Git first writes every new
object as a loose object, a single zlib-compressed file named after the object ID. That is
simple, but it wastes space when a project keeps many versions of the same files. Packfiles
solve that problem, references give names to commits, and garbage collection removes what
nothing refers to any more.

## What a packfile is

A packfile stores many objects in one file, in the directory .git/objects/pack. Each pack
has a name of the form pack-<checksum>.pack and comes with an index file of the same name
ending in .idx. The pack begins with the four bytes PACK, a version number and the number of
objects it holds, and it ends with a checksum of everything before it.

Each object in the pack starts with a short header that gives its type and its size, followed
by the zlib-compressed data. Besides the four ordinary object types (commit, tree, blob and
annotated tag) a pack can hold two kinds of delta objects. A delta does not store the object
whole: it names a base object and lists instructions that rebuild the object from the base,
either by copying a range of bytes from the base or by inserting new bytes. An offset delta
names its base by its position earlier in the same pack, and a reference delta names its base
by object ID.

Deltas are the reason packs are so much smaller than loose objects. When a large file changes
by one line between two commits, the pack can store one version whole and the other as a
delta of a few dozen bytes.

## How Git chooses deltas

Git does not record which object was derived from which, so it has to find good delta bases
when it builds a pack. The command git repack, which git gc runs, sorts the candidate objects
by type, by a hash of the file name they were found under, and by size, with larger objects
first. It then tries to express each object as a delta against the objects just before it in
that order. The number of objects it compares against is the pack window, set by the option
pack.window (10 by default), and the longest allowed chain of deltas built on deltas is set by
pack.depth (50 by default).

Because larger objects come first, and files tend to grow over time, the newest version of a
file is often stored whole and older versions are stored as deltas against it. That favours
the common case of reading recent history. Reading an object that sits deep in a delta chain
costs more, since every delta in the chain must be applied in turn, which is why the chain
length is limited.

## The pack index

To read one object from a pack, Git must find where it starts without scanning the whole
file. The .idx file makes that possible. Version 2 of the index begins with a fan-out table of
256 entries: entry number N holds how many objects in the pack have an ID whose first byte is
at most N. Then come all the object IDs in sorted order, a CRC32 checksum for each object, and
the offset of each object in the pack. To look up an ID, Git uses the fan-out table to narrow
the search to the IDs sharing the first byte, then finds the ID by binary search and reads the
offset next to it.

Packs are also how Git moves data over the network. During a fetch or a push the sending side
builds a pack that holds only the objects the other side is missing. Such a transfer pack can
be thin: it may contain deltas against objects that are not in the pack but that the receiver
already has, and the receiver completes the pack when it stores it.

## References

Object IDs are exact but hard to remember, so Git keeps references: names that point to
objects. A branch is a reference stored under refs/heads; the file .git/refs/heads/main, for
example, contains the 40-character ID of the commit at the tip of the main branch. Tags live
under refs/tags, and remote-tracking branches such as refs/remotes/origin/main record where a
branch of another repository was at the last fetch.

Making a commit on a branch writes the new commit object and then moves the branch reference
to it. Nothing else changes, which is why creating a branch in Git is cheap: it is one small
file holding one ID.

HEAD is a special reference that says what is checked out. Usually it is a symbolic reference,
a file containing a line such as ref: refs/heads/main, which names the current branch. When a
commit is checked out directly, HEAD holds the commit ID itself; this state is called a
detached HEAD.

Repositories with many references would need many small files, so Git can pack references
into a single file, .git/packed-refs, with one line per reference. A reference that exists
as a loose file takes precedence over its line in packed-refs. Since version 2.45 Git also
offers the reftable format, a binary format designed for repositories with very many
references.

## The reflog

Each time a reference moves, Git can append a line to its reflog, under .git/logs. A line
records the old ID, the new ID, who made the change, when, and a short reason such as commit,
merge or reset. The command git reflog shows these lines for HEAD. Because the reflog still
points to commits that no branch points to any more, it is the usual way to recover work after
a mistaken reset or a deleted branch.

## Garbage collection

The command git gc tidies a repository. It packs loose objects into packfiles and combines
small packs, packs loose references into packed-refs, expires old reflog entries, and removes
objects that are no longer reachable.

An object is reachable when it can be reached by following links from a reference, from a
reflog entry, from HEAD or from the index. Objects that cannot be reached, such as the commits
left behind by an amended commit or a deleted branch, are only deleted once they are older
than the grace period set by gc.pruneExpire, two weeks by default. Reflog entries themselves
expire after 90 days by default (gc.reflogExpire), or after 30 days when they point to commits
that are not reachable from the current tip of their reference (gc.reflogExpireUnreachable).

Many Git commands run git gc --auto when they finish. It does nothing unless the repository
looks untidy: by default it acts when there are more than 6700 loose objects (gc.auto) or more
than 50 packs (gc.autoPackLimit). Together, packfiles, references and garbage collection keep
a repository compact without ever changing what an object ID means.
"""

PAGE_W, PAGE_H = 612, 792  # US Letter, in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 72, 72, 72
STYLES = {  # kind -> (font resource, size, leading, space before, space after)
    "title": ("F2", 18, 24, 0, 10),
    "h2": ("F2", 13, 18, 10, 4),
    "body": ("F1", 11, 15, 0, 8),
    "item": ("F1", 11, 15, 0, 4),
}

# Helvetica advance widths (1/1000 em) for ASCII 32..126, from the standard AFM metrics.
_WIDTHS = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
]


def text_width(text: str, size: float, bold: bool) -> float:
    units = sum(_WIDTHS[ord(c) - 32] if 32 <= ord(c) <= 126 else 556 for c in text)
    return units * size / 1000 * (1.06 if bold else 1.0)  # bold is a little wider


def parse(text: str) -> list[tuple[str, str]]:
    """Blocks as (kind, text): title, h2, body, item."""
    blocks: list[tuple[str, str]] = []
    for para in text.strip().split("\n\n"):
        lines = [ln.strip() for ln in para.strip().splitlines()]
        if lines[0].startswith("# "):
            blocks.append(("title", lines[0][2:]))
        elif lines[0].startswith("## "):
            blocks.append(("h2", lines[0][3:]))
        elif lines[0].startswith("- "):
            items: list[str] = []
            for ln in lines:
                if ln.startswith("- "):
                    items.append(ln[2:])
                else:
                    items[-1] += " " + ln
            blocks.extend(("item", "- " + it) for it in items)
        else:
            blocks.append(("body", " ".join(lines)))
    return blocks


def wrap(text: str, size: float, bold: bool, width: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, size, bold) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def layout(blocks: list[tuple[str, str]]):
    """Pages as lists of (font, size, x, y, text), and outline entries (title, page, y)."""
    pages: list[list[tuple[str, int, float, float, str]]] = [[]]
    outline: list[tuple[str, int, float]] = []
    y = PAGE_H - MARGIN_TOP
    width = PAGE_W - 2 * MARGIN_X
    for kind, text in blocks:
        font, size, leading, before, after = STYLES[kind]
        lines = wrap(text, size, font == "F2", width)
        needed = before + leading * (len(lines) + (2 if kind == "h2" else 0))
        if y - needed < MARGIN_BOTTOM and pages[-1]:  # keep a heading with what follows
            pages.append([])
            y = PAGE_H - MARGIN_TOP
            before = 0
        y -= before
        if kind in ("title", "h2"):
            outline.append((text, len(pages) - 1, y + size))
        for ln in lines:
            if y - leading < MARGIN_BOTTOM:
                pages.append([])
                y = PAGE_H - MARGIN_TOP
            y -= leading
            pages[-1].append((font, size, MARGIN_X, round(y, 2), ln))
        y -= after
    return pages, outline


def pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")  # WinAnsiEncoding for the printable range
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def content_stream(lines, page_no: int, n_pages: int) -> bytes:
    ops = []
    for font, size, x, y, text in lines:
        ops.append(b"BT /%s %d Tf %.2f %.2f Td %s Tj ET"
                   % (font.encode(), size, x, y, pdf_string(text)))
    footer = f"{TITLE} - page {page_no} of {n_pages}"
    ops.append(b"BT /F1 8 Tf %.2f 40.00 Td %s Tj ET" % (MARGIN_X, pdf_string(footer)))
    return b"\n".join(ops) + b"\n"


def build_pdf(text: str = TEXT) -> bytes:
    pages, outline = layout(parse(text))
    n = len(pages)
    # object numbers: 1 catalog, 2 pages, 3 F1, 4 F2, 5 info, 6 outlines root,
    # then per page: page object, content stream; then one object per outline entry
    first_page = 7
    first_item = first_page + 2 * n
    objs: dict[int, bytes] = {}
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(n))
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R /PageMode /UseOutlines >>"
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n)
    for num, base in ((3, b"Helvetica"), (4, b"Helvetica-Bold")):
        objs[num] = (b"<< /Type /Font /Subtype /Type1 /BaseFont /%s "
                     b"/Encoding /WinAnsiEncoding >>" % base)
    objs[5] = (b"<< /Title %s /Author (sdg_ci project) "
               b"/Producer (examples/make_example_pdf.py) >>" % pdf_string(TITLE))
    m = len(outline)
    objs[6] = (b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
               % (first_item, first_item + m - 1, m))
    for i, lines in enumerate(pages):
        page_obj, stream_obj = first_page + 2 * i, first_page + 2 * i + 1
        objs[page_obj] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>" % (PAGE_W, PAGE_H, stream_obj)
        )
        data = content_stream(lines, i + 1, n)
        objs[stream_obj] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)
    for j, (title, page, top) in enumerate(outline):
        num = first_item + j
        links = b""
        if j > 0:
            links += b" /Prev %d 0 R" % (num - 1)
        if j < m - 1:
            links += b" /Next %d 0 R" % (num + 1)
        objs[num] = b"<< /Title %s /Parent 6 0 R /Dest [%d 0 R /XYZ %d %.2f 0]%s >>" % (
            pdf_string(title), first_page + 2 * page, MARGIN_X, top, links)

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objs):
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objs[num])
    xref = len(out)
    size = max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num]
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (size, xref))
    return bytes(out)


def main(argv: list[str]) -> int:
    default = Path(__file__).resolve().parent / "knowledge-docs" / "git-packfiles-and-refs.pdf"
    out = Path(argv[0]) if argv else default
    data = build_pdf()
    out.write_bytes(data)
    print(f"wrote {out} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
