"""A `document.patterns` entry does not end in `.md` or `.pdf`.

Generation reads Markdown and PDF documents only; a pattern for other files (`*.txt`,
`docs/*`) matches nothing it can use.

Bad:

```yaml
document:
  patterns:
    - chickadee.txt
```

Good:

```yaml
document:
  patterns:
    - chickadee.md
    - papers/*.pdf
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q304"
NAME = "pattern-extension"
SEVERITY = "warning"
EXTENSIONS = (".md", ".pdf")


def check(ctx: Context) -> Iterator[Diagnostic]:
    document = (ctx.mapping or {}).get("document")
    patterns = document.get("patterns") if isinstance(document, dict) else None
    if not isinstance(patterns, list):
        return
    for i, pattern in enumerate(patterns):
        if (
            isinstance(pattern, str)
            and pattern.strip()
            and not pattern.lower().endswith(EXTENSIONS)
        ):
            yield ctx.diag(
                CODE,
                f"document.patterns[{i}] {pattern!r} does not end in .md or .pdf; generation "
                "reads only Markdown and PDF documents",
                f".document.patterns[{i}]",
                severity=SEVERITY,
            )
