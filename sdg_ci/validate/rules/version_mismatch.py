"""The file's `version` is not the newest schema version (profile `taxonomy-ci`).

The taxonomy repository's CI checks every changed file against the newest schema
(version 3), whatever its `version` says; a version 2 file must be brought up to version 3.
In the `ilab` profile the file's own version applies instead.

Bad:

```yaml
version: 2
```

Good:

```yaml
version: 3
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q109"
NAME = "version-mismatch"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
