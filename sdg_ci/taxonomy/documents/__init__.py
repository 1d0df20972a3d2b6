"""Knowledge documents: fetch a leaf's `document` at its exact commit, convert, chunk.

    chunks = load_chunks(leaf, config.documents, cache_dir)

One concept a module, in the order a load runs:
- `sources`: the leaf's `document` fields and where they may be fetched from (URL policy,
  `documents.mirrors`, `documents.snapshots`), checked before git runs;
- `snapshots`: a folder of files built into a commit whose SHA depends only on the files;
- `fetch`: the fetch cache, one private bare repository per (repo, commit);
- `tree`: the commit's files from its tree (`ls-tree -l`, `cat-file`), symlinks resolved;
- `select`: `document.patterns` to files;
- `convert`, `markdown`, `pdf`: one file to blocks, cached by blob ID;
- `budget`: time limits and cancellation (the load runs in a worker thread).
Chunking is in `sdg_ci.taxonomy.chunking`; git runs through `sdg_ci.gitcmd`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sdg_ci.config import DocumentSettings
from sdg_ci.taxonomy.chunking import Chunk, chunk_blocks
from sdg_ci.taxonomy.documents.budget import DocumentsCancelled, LeafBudget
from sdg_ci.taxonomy.documents.context import DocContext, DocumentError
from sdg_ci.taxonomy.documents.convert import CONVERTER_VERSION, Document, convert
from sdg_ci.taxonomy.documents.fetch import cache_key, ensure_commit
from sdg_ci.taxonomy.documents.pdf import pdf_blocks
from sdg_ci.taxonomy.documents.select import SUPPORTED_SUFFIXES, select_files
from sdg_ci.taxonomy.documents.snapshots import (
    SNAPSHOT_IDENTITY,
    SNAPSHOT_MESSAGE,
    build_snapshot_repo,
)
from sdg_ci.taxonomy.documents.sources import document_ref, resolve_source
from sdg_ci.taxonomy.documents.tree import list_tree
from sdg_ci.taxonomy.leaf import Leaf

__all__ = [
    "CONVERTER_VERSION",
    "SNAPSHOT_IDENTITY",
    "SNAPSHOT_MESSAGE",
    "SUPPORTED_SUFFIXES",
    "Chunk",
    "Document",
    "DocumentError",
    "DocumentSet",
    "DocumentsCancelled",
    "build_snapshot_repo",
    "cache_key",
    "load_chunks",
    "load_documents",
    "pdf_blocks",
]

log = logging.getLogger(__name__)


@dataclass
class DocumentSet:
    repo: str
    commit: str
    documents: list[Document]
    skipped: list[str] = field(default_factory=list)  # "path: reason" for files not converted


def load_chunks(leaf: Leaf, settings: DocumentSettings, cache_dir: Path, *,
                cancel: threading.Event | None = None) -> list[Chunk]:
    """The chunks of every document the leaf references, in pattern order, then path order.
    Setting `cancel` (from another thread) stops the load at its next step."""
    docs = load_documents(leaf, settings, cache_dir, cancel=cancel)
    chunks: list[Chunk] = []
    for doc in docs.documents:
        unit = "page" if doc.kind == "pdf" else "line"
        chunks.extend(chunk_blocks(doc.blocks, doc.source, settings.chunk_tokens, unit))
    return chunks


def load_documents(leaf: Leaf, settings: DocumentSettings, cache_dir: Path, *,
                   cancel: threading.Event | None = None) -> DocumentSet:
    """Fetch (or reuse) the leaf's document commit and convert the files its patterns match."""
    ref = document_ref(leaf)
    ctx = DocContext(leaf.rel_path, ref.repo, ref.commit)
    source = resolve_source(ctx, ref.repo, settings, Path(leaf.root))
    budget = LeafBudget(ctx, settings, cancel)
    git_dir = ensure_commit(ctx, source, Path(cache_dir), settings)
    budget.check_cancel()
    entries = list_tree(ctx, git_dir, settings)
    selected, skipped = select_files(ctx, entries, ref.patterns, git_dir, settings,
                                     budget.check_cancel)
    budget = LeafBudget(ctx, settings, cancel)  # the conversion budget starts here
    documents = [convert(ctx, git_dir, path, entry, settings, budget)
                 for path, entry in selected]
    for note in skipped:  # one line each: a file name may hold a newline and "::error"
        log.warning("%s: %s", ctx.prefix, " ".join(note.split()))
    return DocumentSet(ref.repo, ref.commit, documents, skipped)
