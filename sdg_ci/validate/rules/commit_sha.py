"""`document.commit` is not a full 40-character commit SHA.

A branch name (`main`) or a short SHA can move or become ambiguous, so the documents the
seeds were written from could change under them. Pin the exact commit.

Bad:

```yaml
document:
  commit: main
```

Good:

```yaml
document:
  commit: 5f7158a5ce83c4ff493bfe341fe31ecad64ff697
```
"""

import re
from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context
from sdg_ci.validate.rules.placeholder import PLACEHOLDER

CODE = "Q302"
NAME = "commit-not-sha"
SEVERITY = "warning"
SHA = re.compile(r"[0-9a-fA-F]{40}")


def check(ctx: Context) -> Iterator[Diagnostic]:
    document = (ctx.mapping or {}).get("document")
    commit = document.get("commit") if isinstance(document, dict) else None
    if not isinstance(commit, str) or not commit.strip() or PLACEHOLDER.fullmatch(commit):
        return  # missing or empty: the schema says so; a placeholder: Q314 says so
    if not SHA.fullmatch(commit.strip()):
        yield ctx.diag(
            CODE,
            f"document.commit {commit!r} is not a full 40-character commit SHA; a branch or a "
            "short SHA can move, so pin the exact commit",
            ".document.commit",
            severity=SEVERITY,
        )
