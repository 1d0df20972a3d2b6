"""YAML aliases expand to an absurd size (a "billion laughs" bomb); the file is refused.

Anchors (`&name`) and aliases (`*name`) let a tiny file describe billions of values. The
file is answered at once, without expanding it (the reference runs out of memory).
Ordinary reuse of a value with an alias is fine.

Bad (nine levels of nine: 387 million strings from 700 bytes):

```yaml
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
```

Good:

```yaml
answer: &same The tonsils are part of the immune system.
other_answer: *same
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q002"
NAME = "yaml-alias-bomb"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
