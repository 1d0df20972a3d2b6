"""A value has the wrong type: text, a list or a mapping was expected.

YAML turns unquoted `yes`/`no`/`on`/`off`, numbers and dates into booleans, numbers and
dates; the message says what YAML read and how to quote it.

Bad:

```yaml
  - question: Is a tomato a fruit?
    answer: yes
```

Good:

```yaml
  - question: Is a tomato a fruit?
    answer: "yes"
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q103"
NAME = "wrong-type"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
