"""A yamllint problem (trailing spaces, indentation, a missing final newline, ...).

yamllint runs in process with the reference's configuration: `relaxed` with `line-length`
disabled, or the `.yamllint` / `.yamllint.yaml` / `.yamllint.yml` at the taxonomy root.
The message ends with yamllint's rule name, and the level is the one yamllint reports:
in the `taxonomy-ci` profile warnings stay warnings, in `ilab` they are errors. Version 1
files are not linted in the `ilab` profile (as the reference). Duplicate keys are reported
as Q005.

Bad (trailing spaces after `answer:`, no newline at the end of the file):

```yaml
  - question: What is the plural of "mouse"?
    answer: The plural of "mouse" is "mice".␣␣
```

Good: no trailing blanks, a newline at the end.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q200"
NAME = "yamllint"
SEVERITY = "yamllint"
FOLDED = {"key-duplicates"}  # reported as Q005 whatever the yamllint configuration


def check(ctx: Context) -> Iterator[Diagnostic]:
    for problem in ctx.lint_problems:
        if problem.rule in FOLDED:
            continue
        level = "error" if problem.level == "error" else "warning"
        if ctx.profile.lint_warnings_are_errors:
            level = "error"
        yield Diagnostic(
            problem.line, problem.column, CODE, f"{problem.desc} ({problem.rule})", "", level
        )
