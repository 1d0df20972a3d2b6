"""The file cannot be read (permissions, a dangling symlink, an I/O error).

The operating system's reason is given. Fix the permissions or the link.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q013"
NAME = "unreadable"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
