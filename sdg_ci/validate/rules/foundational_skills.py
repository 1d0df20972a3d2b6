"""The leaf is under `foundational_skills/`, which no tool reads.

The taxonomy CI, `ilab` and generation read only `compositional_skills/` and `knowledge/`;
a leaf under `foundational_skills/` is checked (by content, as the reference does) but
never used.

Bad: `foundational_skills/reasoning/logical_reasoning/causal/qna.yaml`

Good: `compositional_skills/reasoning/logical_reasoning/causal/qna.yaml`
"""

CODE = "Q312"
NAME = "foundational-skills"
SEVERITY = "warning"


def check(ctx):
    if ctx.top_folder == "foundational_skills":
        yield ctx.diag(
            CODE,
            "foundational_skills/ is not read by any tool (only compositional_skills/ and "
            "knowledge/ are); move the leaf under compositional_skills/ or delete it",
            severity=SEVERITY,
        )
