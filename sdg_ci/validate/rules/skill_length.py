"""A skill's seed examples hold more than about 2,300 words in total.

Skill seeds (questions, answers and contexts) go into the teacher model's prompt together;
the taxonomy's contribution guide keeps a skill under about 2,300 words so they fit.

Bad: five seed examples whose contexts are whole documents.

Good: five to a dozen compact examples.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context
from sdg_ci.validate.schema import SKILLS
from sdg_ci.validate.seeds import seed_examples, words

CODE = "Q307"
NAME = "skill-too-long"
SEVERITY = "warning"
MAX_WORDS = 2300


def check(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.schema_name != SKILLS:
        return
    total = sum(
        words(example.get(field))
        for _, example in seed_examples(ctx.mapping)
        for field in ("context", "question", "answer")
    )
    if total > MAX_WORDS:
        yield ctx.diag(
            CODE,
            f"the seed examples hold {total:,} words in total; keep a skill under about "
            f"{MAX_WORDS:,} words so they fit the teacher model's prompt",
            ".seed_examples",
            severity=SEVERITY,
        )
