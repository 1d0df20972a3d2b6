"""Time and cancellation for one leaf's load: documents are read in a worker thread
(`asyncio.to_thread`), which a cancelled task cannot stop, so every long step asks here.

A document's conversion gets `documents.pdf_timeout_s`; all the leaf's conversions
together get `documents.leaf_timeout_s`. Past either, the leaf gets a DocumentError that
names the file; other leaves are not held up. A set `cancel` event stops the load at the
next file, page or text run with DocumentsCancelled.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sdg_ci.config import DocumentSettings
from sdg_ci.taxonomy.documents.context import DocContext, DocumentError


class DocumentsCancelled(DocumentError):
    """The caller gave up on this leaf (Ctrl-C, a cancelled task)."""


class LeafBudget:
    """The time one leaf's conversions may take, and the caller's cancel flag."""

    def __init__(self, ctx: DocContext, settings: DocumentSettings,
                 cancel: threading.Event | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.ctx = ctx
        self.settings = settings
        self.cancel = cancel
        self.clock = clock
        self.leaf_at = clock() + settings.leaf_timeout_s

    def check_cancel(self) -> None:
        """Raise DocumentsCancelled when the caller has given up."""
        if self.cancel is not None and self.cancel.is_set():
            ctx = self.ctx
            raise DocumentsCancelled(f"{ctx.prefix}: loading the documents was cancelled",
                                     leaf=ctx.leaf, repo=ctx.repo, commit=ctx.commit)

    def document(self, path: str) -> Deadline:
        """The deadline for converting `path`: its own budget, or what is left of the leaf's."""
        settings = self.settings
        own = self.clock() + settings.pdf_timeout_s
        if own <= self.leaf_at:
            message = (f"{path}: converting it took longer than {settings.pdf_timeout_s:g} s "
                       "(documents.pdf_timeout_s); split the document or raise the limit")
            return Deadline(self, own, message, path)
        message = (f"{path}: the leaf's documents took longer than "
                   f"{settings.leaf_timeout_s:g} s to convert (documents.leaf_timeout_s); "
                   "stopped at this file")
        return Deadline(self, self.leaf_at, message, path)


@dataclass
class Deadline:
    """One conversion's limit; `check()` is called between pages and within them."""

    budget: LeafBudget
    at: float
    message: str
    path: str

    def check(self) -> None:
        self.budget.check_cancel()
        if self.budget.clock() > self.at:
            raise self.budget.ctx.error(self.message, file=self.path)
