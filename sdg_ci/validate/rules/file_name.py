"""A taxonomy leaf must be named exactly `qna.yaml`.

`qna.yml`, `QnA.yaml` or `qna2.yaml` are not read by any tool: the taxonomy's CI, `ilab` and
generation all look for `qna.yaml`, so a misnamed leaf is silently ignored downstream. When
the name ends in `.yaml` or `.yml` its content is still checked, so one run shows all that
is wrong.

Bad: `knowledge/animals/cloning/dolly_the_sheep/qna.yml`

Good: `knowledge/animals/cloning/dolly_the_sheep/qna.yaml`
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.taxonomy.leaf import LEAF_NAME
from sdg_ci.validate.context import Context

CODE = "Q020"
NAME = "file-name"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.name != LEAF_NAME:
        yield ctx.diag(
            CODE,
            f'taxonomy file must be named "{LEAF_NAME}"; "{ctx.name}" is not a valid name: '
            "rename it",
        )
