"""A text value is empty or only blanks.

`created_by`, `domain`, `document_outline`, every question, answer and context, and (from
version 2) `task_description` must say something. A value of only spaces counts as empty
(the reference accepts it).

Bad:

```yaml
  - question: What is the plural of "sheep"?
    answer: " "
```

Good:

```yaml
  - question: What is the plural of "sheep"?
    answer: The plural of "sheep" is "sheep".
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q104"
NAME = "empty-value"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
