"""YAML nesting is deeper than any qna.yaml needs (more than 200 levels); the file is refused.

A qna.yaml is at most five levels deep. Absurd nesting is refused with a message instead
of exhausting the parser.

Bad: `answer:` followed by 201 `[` and as many `]`, a list in a list 201 levels deep (too
long a line to show here).

Good:

```yaml
answer: The answer, as text.
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q003"
NAME = "yaml-too-deep"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
