"""The leaf is under `foundational_skills/`, which no tool reads.

The taxonomy CI, `ilab` and generation read only `compositional_skills/` and `knowledge/`,
and so does `sdg-ci validate` when it searches a folder. A `qna.yaml` under
`foundational_skills/` named explicitly (by you or by pre-commit) gets this warning, and
its content is checked as the reference would (its schema chosen by content).

Bad: `foundational_skills/reasoning/logical_reasoning/causal/qna.yaml`

Good: `compositional_skills/reasoning/logical_reasoning/causal/qna.yaml`
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q312"
NAME = "foundational-skills"
SEVERITY = "warning"


def check(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.top_folder == "foundational_skills":
        yield ctx.diag(
            CODE,
            "foundational_skills/ is not read by any tool (only compositional_skills/ and "
            "knowledge/ are); move the leaf under compositional_skills/ or delete it",
            severity=SEVERITY,
        )
