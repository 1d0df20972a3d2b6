"""A qna.yaml outside `compositional_skills/` and `knowledge/` is not read by any tool.

Only leaves under those two folders of the taxonomy root are validated by the taxonomy CI
and used for generation; a qna.yaml elsewhere (say `docs/examples/`) is dead weight, or a
leaf put in the wrong place. Leaves under `foundational_skills/` get their own warning
(Q312) instead. A folder is searched only under these folders, so this error is for files
named explicitly (by you, pre-commit or the diff).

Bad: `docs/examples/chickadee/qna.yaml`

Good: `knowledge/science/animals/birds/black_capped_chickadee/qna.yaml`
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.taxonomy.leaf import LEAF_ROOTS
from sdg_ci.validate.context import Context

CODE = "Q021"
NAME = "file-location"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.inside_root:
        yield ctx.diag(
            CODE,
            f"file is outside the taxonomy root {ctx.root}; check it from its own taxonomy "
            "(sdg-ci -C PATH validate)",
        )
    elif ctx.top_folder not in (*LEAF_ROOTS, "foundational_skills"):
        yield ctx.diag(
            CODE,
            "file is not under compositional_skills/ or knowledge/, so no tool reads it; "
            "move it under one of them",
        )
