"""One file of the commit to a Document: read its blob, convert by kind, and cache the
result by blob ID beside the fetch (a blob never changes)."""

from __future__ import annotations

import json
import os
import posixpath
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sdg_ci.config import DocumentSettings
from sdg_ci.taxonomy.chunking import Block
from sdg_ci.taxonomy.documents.budget import LeafBudget
from sdg_ci.taxonomy.documents.context import DocContext
from sdg_ci.taxonomy.documents.markdown import markdown_blocks
from sdg_ci.taxonomy.documents.pdf import pdf_blocks
from sdg_ci.taxonomy.documents.select import SUPPORTED_SUFFIXES
from sdg_ci.taxonomy.documents.tree import TreeEntry, read_blob

CONVERTER_VERSION = 1  # bump when conversion output changes, to invalidate cached text


@dataclass
class Document:
    source: str  # path inside the document repository (the path the pattern matched)
    kind: str  # "markdown" | "pdf"
    blob: str  # git object ID of the content
    size: int  # bytes
    blocks: list[Block] = field(default_factory=list)


def convert(ctx: DocContext, git_dir: Path, path: str, entry: TreeEntry,
            settings: DocumentSettings, budget: LeafBudget | None = None) -> Document:
    """The converted document at `path` (from the text cache when it is there), within
    the leaf's time budget."""
    budget = budget or LeafBudget(ctx, settings)
    budget.check_cancel()
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
    deadline = budget.document(path)
    deadline.check()
    raw = read_blob(ctx, git_dir, entry.oid, path)
    if len(raw) > settings.max_document_bytes:
        raise ctx.error(f"{path} is {len(raw):,} bytes, over the documents.max_document_bytes "
                        f"limit of {settings.max_document_bytes:,}", file=path)
    pages = 0
    if kind == "markdown":
        doc.blocks = markdown_blocks(ctx, raw, path)
    else:
        doc.blocks, pages = pdf_blocks(raw, path, settings, ctx, deadline)
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
