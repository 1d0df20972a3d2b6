"""`attribution.txt` beside the leaf must not be empty (profile `taxonomy-ci`).

An empty or blank attribution names no source. The reference only rejects a 0-byte file;
a file of blank lines is rejected here too.

Bad: an `attribution.txt` of zero bytes.

Good:

```text
Title of work: Irregular English plurals (seed examples)
Link to work: https://example.org/plurals
License of the work: CC-BY-4.0
Creator names: Ada Lovelace
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context
from sdg_ci.validate.rules.attribution_missing import ATTRIBUTION, attribution_path

CODE = "Q031"
NAME = "attribution-empty"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.profile.require_attribution or ctx.mapping is None:
        return
    path = attribution_path(ctx)
    if not path.is_file():
        return
    try:
        # a blank file is small; a big one is not read just to see it is not blank
        blank = path.stat().st_size <= 64 * 1024 and not path.read_bytes().strip()
    except OSError:
        return
    if blank:
        yield ctx.diag(
            CODE,
            f"{ATTRIBUTION} beside this file is empty; name the title, link, licence and "
            "creators of the sources of the seed examples",
        )
