"""The leaf is a symlink (or lies under one) that points outside the taxonomy; it is refused.

A taxonomy is checked out from a pull request: a link to `/etc/passwd` or to another
checkout must not be read, let alone sent to a model. Links that stay inside the taxonomy
are followed. Fix: copy the file into the taxonomy instead of linking to it.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q010"
NAME = "symlink-outside"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
