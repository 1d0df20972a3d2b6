"""A knowledge context has more than 3 questions and answers; only 3 are used.

Generation uses exactly three question/answer pairs per context (the schema requires at
least three, Q105); the extra ones are silently ignored downstream. Move them to another
seed example, or drop them.

Bad:

```yaml
  - context: ...
    questions_and_answers:
      - {question: Q1, answer: A1}
      - {question: Q2, answer: A2}
      - {question: Q3, answer: A3}
      - {question: Q4, answer: A4}
```

Good: three pairs per context.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context
from sdg_ci.validate.schema import KNOWLEDGE
from sdg_ci.validate.seeds import seed_examples

CODE = "Q301"
NAME = "qa-count"
SEVERITY = "warning"
USED = 3


def check(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.schema_name != KNOWLEDGE:
        return
    for path, example in seed_examples(ctx.mapping):
        pairs = example.get("questions_and_answers")
        if isinstance(pairs, list) and len(pairs) > USED:
            extra = len(pairs) - USED
            yield ctx.diag(
                CODE,
                f"{path[1:]} has {len(pairs)} questions_and_answers; generation uses only "
                f"the first {USED}, so {extra} {'is' if extra == 1 else 'are'} ignored",
                f"{path}.questions_and_answers",
                severity=SEVERITY,
            )
