"""The file is empty (or holds only comments, or an empty mapping or list).

An empty leaf contributes nothing; it is a warning, as in the reference, so that a leaf
being written does not fail the whole check. Its content is not checked further.

Bad:

```yaml
# TODO: write the seed examples
```

Good: a leaf with `version`, `created_by`, `task_description` (skills) or `domain`,
`document_outline` and `document` (knowledge), and `seed_examples`.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q022"
NAME = "empty-file"
SEVERITY = "warning"


def check(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.leaf is None:
        return
    data = ctx.data
    if data is None or (isinstance(data, (dict, list, str)) and not data):
        yield ctx.diag(CODE, "the file is empty: there is nothing to check", severity=SEVERITY)
