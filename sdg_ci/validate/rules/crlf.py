r"""The file has Windows (CRLF) line endings.

The taxonomy CI reads files with universal newlines, so yamllint never sees the `\r` and
the file passes there; but it shows up as a change on every line in diffs. Save the file
with Unix (LF) line endings (`git config core.autocrlf input`, or your editor's setting).

Bad: lines ending in `\r\n`.

Good: lines ending in `\n`.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q315"
NAME = "crlf"
SEVERITY = "warning"


def check(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.leaf is None:
        return
    pos = ctx.text.find("\r\n")
    if pos >= 0:
        line = ctx.text.count("\n", 0, pos) + 1
        yield Diagnostic(
            line,
            1,
            CODE,
            "the file has Windows (CRLF) line endings; save it with Unix (LF) line endings",
            "",
            SEVERITY,
        )
