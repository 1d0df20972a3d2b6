"""A value has the wrong type: text, a list or a mapping was expected.

YAML turns unquoted `yes`/`no`/`on`/`off`, numbers and dates into booleans, numbers and
dates; the message says what YAML read and how to quote it.

Bad:

```yaml
  - question: Is a tomato a fruit?
    answer: yes
```

Good:

```yaml
  - question: Is a tomato a fruit?
    answer: "yes"
```
"""

CODE = "Q103"
NAME = "wrong-type"
SEVERITY = "error"


def check(ctx):
    return ctx.found(CODE)
