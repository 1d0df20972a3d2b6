"""`version` must be a whole number (an integer such as `3`).

`version: "3"` (a string), `version: 3.0` (a decimal, which the reference lets through) and
`version: true` are errors.

Bad:

```yaml
version: "3"
```

Good:

```yaml
version: 3
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q107"
NAME = "version-type"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
