"""The file is not valid UTF-8.

The message names the first undecodable byte and its line and column; the usual cause is
text saved as Latin-1 or Windows-1252 (`café` with `é` as the single byte 0xE9). Save the
file as UTF-8. A UTF-8 byte-order mark is accepted.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q015"
NAME = "not-utf8"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
