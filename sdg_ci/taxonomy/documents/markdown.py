"""Markdown files to blocks: UTF-8 only (a BOM is dropped); undecodable bytes are an error
naming the file and offset. The block structure itself comes from `chunking.parse_markdown`."""

from __future__ import annotations

from sdg_ci.taxonomy.chunking import Block, parse_markdown
from sdg_ci.taxonomy.documents.context import DocContext


def markdown_blocks(ctx: DocContext, raw: bytes, path: str) -> list[Block]:
    """The blocks (headings and paragraphs) of a Markdown file's bytes."""
    return parse_markdown(decode_markdown(ctx, raw, path))


def decode_markdown(ctx: DocContext, raw: bytes, path: str) -> str:
    """The text of a Markdown file, or a DocumentError that says where it is not UTF-8."""
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
