"""The file is not valid YAML.

The message is the parser's own, with the line and column where it stopped (the reference
shows an empty message or a traceback instead). Common causes: a tab used for indentation,
an unquoted `: ` inside a plain value, two documents in one file, a control character
pasted in from another program.

Bad (an unquoted `: ` inside the question):

```yaml
seed_examples:
  - question: Ratio: what is 3 to 4?
    answer: 3:4
```

Good:

```yaml
seed_examples:
  - question: "Ratio: what is 3 to 4?"
    answer: "3:4"
```
"""

import re
from collections.abc import Iterator
from dataclasses import replace

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q001"
NAME = "yaml-syntax"
SEVERITY = "error"
_ALIAS = re.compile(r"\*([^\s,\[\]{}]+)")


def _line(ctx, number):
    try:
        with open(ctx.root / ctx.rel_path, encoding="utf-8", errors="replace") as f:
            for i, line in enumerate(f, 1):
                if i == number:
                    return line
    except OSError:
        pass
    return ""


def _hint(ctx, error):
    """libyaml's message, made actionable where it is terse."""
    line = _line(ctx, error.line)
    at = line[error.column - 1 : error.column] if line else ""
    if "cannot start any token" in error.message and at == "\t":
        return "; a tab cannot indent YAML: indent with spaces"
    if "found undefined alias" in error.message:
        match = _ALIAS.match(line, error.column - 1)
        name = match.group(1) if match else None
        if name:
            return f" *{name}: no anchor &{name} is defined before it"
    return ""


def check(ctx: Context) -> Iterator[Diagnostic]:
    error = ctx.read_error
    if error is None or error.code != CODE:
        return
    hint = _hint(ctx, error)
    yield replace(error, message=error.message + hint) if hint else error
