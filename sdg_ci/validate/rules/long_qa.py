"""A question or an answer is longer than 250 words.

Seed questions and answers are examples of the style and length wanted; very long ones
crowd the prompt and teach the model to ramble.

Bad: an answer of several pages.

Good: an answer of a few sentences, under 250 words.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context
from sdg_ci.validate.seeds import qa_pairs, words

CODE = "Q306"
NAME = "long-qa"
SEVERITY = "warning"
MAX_WORDS = 250


def check(ctx: Context) -> Iterator[Diagnostic]:
    for path, pair in qa_pairs(ctx.mapping):
        for field in ("question", "answer"):
            count = words(pair.get(field))
            if count > MAX_WORDS:
                yield ctx.diag(
                    CODE,
                    f"{path[1:]}.{field} has {count:,} words; keep each {field} under "
                    f"{MAX_WORDS} words",
                    f"{path}.{field}",
                    severity=SEVERITY,
                )
