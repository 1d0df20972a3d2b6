"""The file contains NUL bytes: it is binary, not YAML text.

Usually a file saved in the wrong format (UTF-16, a word-processor document) or a
binary committed under the wrong name. Save it as UTF-8 text.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q014"
NAME = "binary-file"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
