"""The file is larger than the size limit (1 MiB by default); it is refused unread.

A qna.yaml holds a few seed examples, not whole documents: knowledge documents belong in
the repository named by `document.repo`. The limit is `validate.max_file_bytes` in
`.sdg-ci.yaml`.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q012"
NAME = "file-too-large"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
