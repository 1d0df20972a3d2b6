"""Cutting document text into chunks of about `chunk_tokens` tokens, along its headings.

Input is a list of `Block`s (a heading, a paragraph, a list, a code block) that the
converters in `documents/` (markdown.py, pdf.py) produce from Markdown and PDF; output is
a list of `Chunk`s.

Rules (deterministic: same blocks and target, same chunks):
- A chunk never holds more than `target` estimated tokens.
- A chunk starts at a heading where it can: a section (a heading and what follows, up to the
  next heading of any level) becomes its own chunk when it fits. Small neighbouring sections
  (under half the target) are merged while the result fits, so a chunk is not a lone heading.
- A section too long for one chunk is cut between blocks into n = ceil(size / target) parts
  of about equal size; a paragraph is never cut unless it alone is over the target, and then
  at line ends, else sentence ends, else spaces.
- `Chunk.heading` is the heading path of the section the chunk starts in
  (`"Title > Section > Subsection"`), "" for text before the first heading.

Token counts come from `sdg_ci.taxonomy.tokens.estimate_tokens` (the same estimate
generation uses to size prompts).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from sdg_ci.taxonomy.tokens import estimate_tokens

BLOCK_SEPARATOR = "\n\n"
SEPARATOR_TOKENS = 1  # estimate_tokens("\n\n")

@dataclass
class Block:
    """One unit of document structure; chunks are cut between blocks."""

    text: str  # as it goes into the chunk (Markdown source; for PDFs, reflowed text)
    kind: str = "text"  # "heading" | "text" | "code"
    level: int = 0  # headings: 1 (top) .. 6
    title: str = ""  # headings: the heading text without markup
    start: int = 0  # first line (Markdown) or page (PDF), 1-based
    end: int = 0  # last line or page
    tokens: int = -1

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = estimate_tokens(self.text)
        if not self.end:
            self.end = self.start


@dataclass
class Chunk:
    """A piece of a document that generation turns into questions and answers.

    `id` is `<source>#<n>` (n counts from 1 within the file); it is stable as long as the
    document commit and `chunk_tokens` are, which the leaf pins.
    """

    id: str
    text: str
    source: str  # path of the file inside the document repository
    heading: str  # heading path, "Title > Section", "" before the first heading
    tokens: int  # estimate_tokens(text)
    location: str = ""  # "lines 12-40" (Markdown) or "pages 2-3" (PDF)


# --------------------------------------------------------------------------------------
# Markdown to blocks

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")


def parse_markdown(text: str) -> list[Block]:
    """Blocks of a Markdown text: ATX and setext headings, fenced code, paragraphs and lists.

    Blank lines end a block, except inside a fenced code block, which stays whole; `#`
    lines inside fences are not headings. A leading YAML front matter block is dropped.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start_at = 0
    if lines and lines[0].strip() == "---":
        for i in range(1, min(len(lines), 200)):
            if lines[i].strip() in ("---", "..."):
                start_at = i + 1
                break
    blocks: list[Block] = []
    cur: list[str] = []
    cur_start = 0
    fence: tuple[str, int] | None = None

    def flush(kind: str = "text") -> None:
        nonlocal cur
        body = "\n".join(cur).strip("\n")
        if body.strip():
            blocks.append(Block(body, kind, start=cur_start, end=cur_start + len(cur) - 1))
        cur = []

    for number, raw in enumerate(lines[start_at:], start=start_at + 1):
        line = raw.rstrip()
        if fence is not None:
            cur.append(line)
            stripped = line.strip()
            if stripped.startswith(fence[0] * fence[1]) and not stripped.strip(fence[0]):
                flush("code")
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening:
            flush()
            fence = (opening.group(1)[0], len(opening.group(1)))
            cur, cur_start = [line], number
            continue
        if not line.strip():
            flush()
            continue
        atx = _ATX.match(line)
        if atx:
            flush()
            title = (atx.group(2) or "").strip()
            level = len(atx.group(1))
            blocks.append(Block(line.strip(), "heading", level, title, number))
            continue
        setext = _SETEXT.match(line)
        if setext and cur and not _LIST_ITEM.match(cur[0]):
            title = " ".join(part.strip() for part in cur)
            level = 1 if setext.group(1)[0] == "=" else 2
            body = "\n".join(cur + [line])
            blocks.append(Block(body, "heading", level, title, cur_start, number))
            cur = []
            continue
        if not cur:
            cur_start = number
        cur.append(line)
    flush("code" if fence else "text")
    return blocks


# --------------------------------------------------------------------------------------
# Blocks to chunks


@dataclass
class _Section:
    path: tuple[str, ...]
    blocks: list[Block] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        return _joined_tokens(b.tokens for b in self.blocks)


def _joined_tokens(counts) -> int:
    counts = list(counts)
    return sum(counts) + SEPARATOR_TOKENS * max(len(counts) - 1, 0)


def _sections(blocks: list[Block]) -> list[_Section]:
    sections: list[_Section] = []
    stack: list[tuple[int, str]] = []
    current = _Section(())
    for block in blocks:
        if block.kind == "heading":
            if current.blocks:
                sections.append(current)
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, block.title))
            current = _Section(tuple(title for _, title in stack))
        current.blocks.append(block)
    if current.blocks:
        sections.append(current)
    return sections


def _pack(sizes: list[int], target: int, sep: int) -> list[list[int]]:
    """Group consecutive items (by index) so each group's joined size <= target, in parts of
    about equal size. Every size must be <= target."""
    total = _joined_tokens(sizes) if sep else sum(sizes)
    parts = max(1, math.ceil(total / target))
    goal = total / parts
    groups: list[list[int]] = []
    cur: list[int] = []
    cur_size = 0
    for i, size in enumerate(sizes):
        add = size + (sep if cur else 0)
        if cur and (cur_size + add > target or cur_size + add / 2 > goal):
            groups.append(cur)
            cur, cur_size = [], 0
            add = size
        cur.append(i)
        cur_size += add
    if cur:
        groups.append(cur)
    return groups


_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


def _split_text(text: str, target: int) -> list[str]:
    """Cut an over-long text at line ends, else sentence ends, else spaces, else characters."""
    if estimate_tokens(text) <= target:
        return [text]
    splitters = ((lambda t: t.split("\n"), "\n"), (_SENTENCE_END.split, " "), (str.split, " "))
    for splitter, joiner in splitters:  # noqa: B007 - the one that splits is used below
        pieces = [p for p in splitter(text) if p.strip()]
        if len(pieces) > 1:
            break
    else:
        # one unbroken run with no spaces: no character costs more than one token
        return [text[i:i + target] for i in range(0, len(text), target)]
    out: list[str] = []
    for piece in pieces:
        out.extend(_split_text(piece, target))
    sizes = [estimate_tokens(p) for p in out]
    # joining with "\n" costs one token per join; with " " none
    groups = _pack(sizes, target, 1 if joiner == "\n" else 0)
    return [joiner.join(out[i] for i in group) for group in groups]


def _split_block(block: Block, target: int) -> list[Block]:
    if block.tokens <= target:
        return [block]
    return [
        Block(piece, block.kind, block.level, block.title, block.start, block.end)
        for piece in _split_text(block.text, target)
    ]


def _location(unit: str, start: int, end: int) -> str:
    if not start:
        return ""
    plural = {"line": "lines", "page": "pages"}.get(unit, unit + "s")
    return f"{unit} {start}" if start == end else f"{plural} {start}-{end}"


def chunk_blocks(blocks: list[Block], source: str, target: int, unit: str = "line") -> list[Chunk]:
    """Chunks of one document (see the module docstring for the rules)."""
    if target < 16:
        raise ValueError(f"chunk_tokens must be at least 16, got {target}")
    sections = _sections(blocks)
    # merge small neighbouring sections while the result fits
    runs: list[list[_Section]] = []
    run_tokens = 0
    half = target / 2
    for section in sections:
        size = section.tokens
        if runs and run_tokens + SEPARATOR_TOKENS + size <= target and (
            run_tokens < half or size < half
        ):
            runs[-1].append(section)
            run_tokens += SEPARATOR_TOKENS + size
        else:
            runs.append([section])
            run_tokens = size

    chunks: list[Chunk] = []
    for run in runs:
        items: list[tuple[tuple[str, ...], Block]] = [
            (section.path, piece)
            for section in run
            for block in section.blocks
            for piece in _split_block(block, target)
        ]
        groups = _pack([block.tokens for _, block in items], target, SEPARATOR_TOKENS)
        for group in groups:
            path, first = items[group[0]]
            text = BLOCK_SEPARATOR.join(items[i][1].text for i in group)
            start = first.start
            end = max(items[i][1].end for i in group)
            chunks.append(
                Chunk(
                    id=f"{source}#{len(chunks) + 1}",
                    text=text,
                    source=source,
                    heading=" > ".join(path),
                    tokens=estimate_tokens(text),
                    location=_location(unit, start, end),
                )
            )
    return chunks


def chunk_markdown(text: str, source: str, target: int) -> list[Chunk]:
    return chunk_blocks(parse_markdown(text), source, target, unit="line")
