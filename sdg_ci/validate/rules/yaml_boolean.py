"""An unquoted `yes`, `no`, `on` or `off` that YAML turned into a boolean.

YAML 1.1 reads these words as true/false. Where the schema wants text this is already an
error (Q103, with the same advice); elsewhere (in a mapping under a key the schema does not
know, which is itself an error, Q102) it is this warning.

Bad:

```yaml
review:
  approved: yes
```

Good:

```yaml
review:
  approved: "yes"
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q313"
NAME = "yaml-boolean"
SEVERITY = "warning"


def check(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.mapping is None:
        return
    reported = ctx.schema_error_paths
    for path, value in ctx.scalars:
        if not isinstance(value, bool) or path in reported:
            continue
        word = ctx.spelled(path)
        if word and word.lower() not in ("true", "false"):
            yield ctx.diag(
                CODE,
                f"YAML read the unquoted word {word} as the boolean {str(value).lower()}; "
                f'put it in quotes ("{word}") if you meant the word',
                path,
                severity=SEVERITY,
            )
