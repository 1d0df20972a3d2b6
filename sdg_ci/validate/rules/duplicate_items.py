"""A list repeats an item: seed examples, question/answer pairs and patterns must be unique.

The message names both indices (the reference prints the tail of a 200-character dump of
the list instead).

Bad:

```yaml
document:
  patterns:
    - chickadee.md
    - chickadee.md
```

Good:

```yaml
document:
  patterns:
    - chickadee.md
```
"""

CODE = "Q106"
NAME = "duplicate-items"
SEVERITY = "error"


def check(ctx):
    return ctx.found(CODE)
