"""A list has fewer items than the schema requires.

Skills need at least 5 seed examples (1 in version 1); knowledge needs at least 5 seed
examples, each with at least 3 questions and answers, and at least one document pattern.

Bad:

```yaml
seed_examples:
  - question: What is the plural of "mouse"?
    answer: The plural of "mouse" is "mice".
```

Good: five (or more) different seed examples.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q105"
NAME = "too-few-items"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
