"""sdg-ci failed while checking this file (a bug in sdg-ci, not in your file).

Every file gets an answer: if a check raises, the file is reported with this error and the
other files are still checked. Please report it with the file that triggered it.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q000"
NAME = "internal-error"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    # produced by the engine around the other rules; nothing to look for here
    return iter(())
