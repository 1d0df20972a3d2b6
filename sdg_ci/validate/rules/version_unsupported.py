"""The `version` does not exist, or is not supported for this kind of leaf.

The schema versions are 1, 2 and 3; knowledge leaves exist only from version 3 (versions 1
and 2 knowledge leaves are rejected with that message). In the `ilab` profile, a file with
such a version is not checked against any schema.

Bad:

```yaml
version: 4
```

Good:

```yaml
version: 3
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q108"
NAME = "version-unsupported"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
