"""`document_outline` is shorter than 40 characters.

The teacher model reads the outline to know what the document is about; a few words
(`Chickadees`) tell it little.

Bad:

```yaml
document_outline: Chickadees
```

Good:

```yaml
document_outline: >-
  The black-capped chickadee: its range, song, diet, and winter survival.
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q310"
NAME = "short-outline"
SEVERITY = "warning"
MIN_CHARS = 40


def check(ctx: Context) -> Iterator[Diagnostic]:
    outline = (ctx.mapping or {}).get("document_outline")
    if isinstance(outline, str) and outline.strip() and len(outline.strip()) < MIN_CHARS:
        yield ctx.diag(
            CODE,
            f"document_outline is {len(outline.strip())} characters long; describe the "
            f"document in at least {MIN_CHARS} characters (the teacher model reads it)",
            ".document_outline",
            severity=SEVERITY,
        )
