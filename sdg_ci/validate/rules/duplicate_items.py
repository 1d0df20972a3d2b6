"""A list repeats an item: seed examples, question/answer pairs and patterns must be unique.

The message names both indices (the reference prints the tail of a 200-character dump of
the list instead).

Bad:

```yaml
document:
  patterns:
    - chickadee.md
    - chickadee.md
```

Good:

```yaml
document:
  patterns:
    - chickadee.md
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q106"
NAME = "duplicate-items"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
