"""The top level of the file must be a mapping of keys (`version:`, `created_by:`, ...).

A file whose top level is a list (say, the seed examples alone) or a single value is not a
leaf. A top level of `0` or `false` is also reported here (the reference calls it empty).

Bad:

```yaml
- question: What is the plural of "mouse"?
  answer: The plural of "mouse" is "mice".
```

Good:

```yaml
version: 3
task_description: Give the plural of an irregular English noun.
created_by: your-github-username
seed_examples:
  - question: What is the plural of "mouse"?
    answer: The plural of "mouse" is "mice".
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context
from sdg_ci.validate.schema import describe

CODE = "Q023"
NAME = "top-level-not-mapping"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.leaf is None:
        return
    data = ctx.data
    if data is None or isinstance(data, dict) or (isinstance(data, (list, str)) and not data):
        return
    yield ctx.diag(
        CODE,
        "the top level must be a mapping of keys (version, created_by, seed_examples, ...), "
        f"but {describe(data, ctx.spelled(''))}",
    )
