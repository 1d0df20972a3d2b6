"""The path cannot be followed to a file: a symlink loop, or a name too long for the system.

A `qna.yaml` that is a link to itself (or to a link that leads back), or a path longer
than the operating system accepts, names no file at all. It is a problem of this file,
reported with the system's reason; the other files are still checked and generated for.
Fix: point the link at a real file, or shorten the folder names.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q016"
NAME = "unresolvable-path"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
