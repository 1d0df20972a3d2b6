"""`version` must be a whole number (an integer such as `3`).

`version: "3"` (a string), `version: 3.0` (a decimal, which the reference lets through) and
`version: true` are errors.

Bad:

```yaml
version: "3"
```

Good:

```yaml
version: 3
```
"""

CODE = "Q107"
NAME = "version-type"
SEVERITY = "error"


def check(ctx):
    return ctx.found(CODE)
