"""A value is still a template placeholder such as `<your GitHub username>`.

Leaves are often started from a template; a value that is only `<...>` was never filled in.

Bad:

```yaml
created_by: <your GitHub username>
document:
  commit: <commit SHA>
```

Good:

```yaml
created_by: ada-lovelace
document:
  commit: 5f7158a5ce83c4ff493bfe341fe31ecad64ff697
```
"""

import re
from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q314"
NAME = "placeholder"
SEVERITY = "warning"
PLACEHOLDER = re.compile(r"\s*<[^<>\n]{2,80}>\s*")


def check(ctx: Context) -> Iterator[Diagnostic]:
    for path, value in ctx.scalars:
        if isinstance(value, str) and PLACEHOLDER.fullmatch(value):
            yield ctx.diag(
                CODE,
                f"{path[1:]} still holds the template placeholder {value.strip()!r}; "
                "replace it with the real value",
                path,
                severity=SEVERITY,
            )
