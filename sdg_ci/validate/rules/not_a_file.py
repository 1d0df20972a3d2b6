"""The path named like a leaf is a directory or a special file (a FIFO, a device), not a file.

A folder named `qna.yaml` is reported instead of being skipped or walked into, and a
FIFO is never opened (reading one would wait forever). Fix: make `qna.yaml` a plain file.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q011"
NAME = "not-a-file"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
