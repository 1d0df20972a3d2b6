"""A key appears twice in the same mapping.

YAML keeps only the last value, so the first one is silently lost. Reported whatever the
yamllint configuration says (yamllint's own `key-duplicates` report is folded into this one).

Bad:

```yaml
domain: astronomy
document_outline: The constellation Phoenix and its stars.
domain: constellations
```

Good:

```yaml
domain: astronomy
document_outline: The constellation Phoenix and its stars.
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q005"
NAME = "duplicate-key"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.leaf is None:
        return
    marks = ctx.leaf.marks
    for yaml_path, mark in marks.duplicates:
        key = yaml_path.rsplit(".", 1)[-1]
        first = marks.keys.get(yaml_path)
        where = f" (first on line {first.line})" if first else ""
        yield Diagnostic(
            mark.line,
            mark.column,
            CODE,
            f'key "{key}" appears twice in the same mapping{where}; YAML keeps only the '
            "last value: delete one of them",
            yaml_path,
        )
