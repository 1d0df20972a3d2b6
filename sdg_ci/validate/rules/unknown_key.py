"""A key the schema does not know.

Unknown keys are errors at every level, so a typo (`seed examples`, `questions_and_answer`)
is caught instead of silently dropping the data. The message suggests the key you probably
meant, or lists the allowed ones. Unlike the reference, extra keys inside a knowledge
question/answer pair are errors too.

Bad:

```yaml
seed examples:
  - context: ...
```

Good:

```yaml
seed_examples:
  - context: ...
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q102"
NAME = "unknown-key"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
