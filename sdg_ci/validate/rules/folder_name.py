"""A folder of the leaf's taxonomy path has spaces or upper-case letters.

Taxonomy paths become names in datasets and commands; the taxonomy's convention is lower
case with underscores.

Bad: `knowledge/technical manual/Ceph/qna.yaml`

Good: `knowledge/technical_manual/ceph/qna.yaml`
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q311"
NAME = "folder-name"
SEVERITY = "warning"


def check(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.inside_root:
        return
    for folder in ctx.parts[:-1]:
        problems = []
        if any(c.isspace() for c in folder):
            problems.append("spaces")
        if any(c.isupper() for c in folder):
            problems.append("upper-case letters")
        if problems:
            better = "_".join(folder.lower().split())
            yield ctx.diag(
                CODE,
                f'folder name "{folder}" has {" and ".join(problems)}; taxonomy folders are '
                f'lower case with underscores (e.g. "{better}")',
                severity=SEVERITY,
            )
