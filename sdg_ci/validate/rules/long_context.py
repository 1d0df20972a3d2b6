"""A context is longer than 500 words.

The teacher model sees each context with its questions inside a limited prompt; a long
context is cut or crowds out the instructions. Pick the passage the questions are about.

Bad: a context into which a whole chapter was pasted.

Good: a context of a few paragraphs, under 500 words.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context
from sdg_ci.validate.seeds import seed_examples, words

CODE = "Q305"
NAME = "long-context"
SEVERITY = "warning"
MAX_WORDS = 500


def check(ctx: Context) -> Iterator[Diagnostic]:
    for path, example in seed_examples(ctx.mapping):
        count = words(example.get("context"))
        if count > MAX_WORDS:
            yield ctx.diag(
                CODE,
                f"{path[1:]}.context has {count:,} words; keep a context under {MAX_WORDS} "
                "words so it fits the teacher model's prompt",
                f"{path}.context",
                severity=SEVERITY,
            )
