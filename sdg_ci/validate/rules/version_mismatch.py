"""The file's `version` is not the newest schema version (profile `taxonomy-ci`).

The taxonomy repository's CI checks every changed file against the newest schema
(version 3), whatever its `version` says; a version 2 file must be brought up to version 3.
In the `ilab` profile the file's own version applies instead.

Bad:

```yaml
version: 2
```

Good:

```yaml
version: 3
```
"""

CODE = "Q109"
NAME = "version-mismatch"
SEVERITY = "error"


def check(ctx):
    return ctx.found(CODE)
