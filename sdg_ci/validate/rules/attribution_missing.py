"""`attribution.txt` must exist beside the leaf (profile `taxonomy-ci`).

The taxonomy repository's CI requires every changed leaf to name the sources of its seed
examples and their licences in an `attribution.txt` next to `qna.yaml`. The `ilab` profile
does not check it.

Bad: `knowledge/astronomy/phoenix/qna.yaml` alone in its folder.

Good: `knowledge/astronomy/phoenix/qna.yaml` and `knowledge/astronomy/phoenix/attribution.txt`:

```text
Title of work: Phoenix (constellation)
Link to work: https://en.wikipedia.org/wiki/Phoenix_(constellation)
License of the work: CC-BY-SA-4.0
Creator names: Wikipedia Authors
```
"""

from collections.abc import Iterator
from pathlib import Path

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

ATTRIBUTION = "attribution.txt"
CODE = "Q030"
NAME = "attribution-missing"
SEVERITY = "error"


def attribution_path(ctx: Context) -> Path:
    return (ctx.root / ctx.rel_path).parent / ATTRIBUTION


def check(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.profile.require_attribution or ctx.mapping is None:
        return
    if not attribution_path(ctx).is_file():
        yield ctx.diag(
            CODE,
            f"{ATTRIBUTION} is missing beside this file; add one naming the title, link, "
            "licence and creators of the sources of the seed examples",
        )
