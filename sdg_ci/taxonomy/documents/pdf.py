"""PDF layout to blocks: pypdf's text with font sizes and positions, read as headings and
paragraphs.

Encrypted files are opened only if their user password is empty, files over
`documents.max_pdf_pages` pages are refused, and the extracted text is capped at
`max_document_bytes` characters (pypdf itself caps stream decompression). A conversion
runs against a deadline (`documents.pdf_timeout_s`, and what is left of the leaf's
`leaf_timeout_s`), checked between pages and between a page's text runs. Headings come
from font size (lines set larger than the body text) and from the PDF outline; paragraphs
from vertical gaps; running headers and footers repeated on most pages are dropped.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from sdg_ci.config import DocumentSettings
from sdg_ci.taxonomy.chunking import Block
from sdg_ci.taxonomy.documents.budget import Deadline, LeafBudget
from sdg_ci.taxonomy.documents.context import DocContext, DocumentError


@dataclass
class _Line:
    page: int
    text: str
    y: float | None
    size: float


def pdf_blocks(raw: bytes, path: str, settings: DocumentSettings,
               ctx: DocContext | None = None, deadline: Deadline | None = None,
               ) -> tuple[list[Block], int]:
    """Blocks (headings and paragraphs) of a PDF, and its page count; past `deadline`
    (default: `documents.pdf_timeout_s` from now) a DocumentError names the file."""
    ctx = ctx or DocContext("", "", "")
    deadline = deadline or LeafBudget(ctx, settings).document(path)
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
        deadline.check()
        try:
            page_lines = _page_lines(reader.pages[number], number + 1, deadline)
        except DocumentError:
            raise
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


def _page_lines(page, number: int, deadline: Deadline) -> list[_Line]:
    pieces: list[tuple[str, float | None, float]] = []

    def visit(text, cm, tm, font_dict, font_size):
        deadline.check()
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
