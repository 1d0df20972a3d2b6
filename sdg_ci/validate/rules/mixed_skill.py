"""A skill mixes grounded examples (with a `context`) and freeform ones (without).

A skill is grounded (every example reads a context) or freeform (none does); generation
treats the whole leaf as one or the other, so a mixed leaf is half misused.

Bad:

```yaml
seed_examples:
  - context: Weekly sync notes ...
    question: List the action items.
    answer: ...
  - question: What is an action item?
    answer: ...
```

Good: a context in every example (grounded) or in none (freeform).
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context
from sdg_ci.validate.schema import SKILLS
from sdg_ci.validate.seeds import seed_examples

CODE = "Q309"
NAME = "mixed-skill"
SEVERITY = "warning"


def _which(indices, negative=False):
    """`seed_examples[2] has` / `seed_examples[0], [1] and [3] do not`."""
    names = [f"[{i}]" for i in indices]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    verb = (
        ("does not" if negative else "has")
        if len(names) == 1
        else ("do not" if negative else "have")
    )
    return f"seed_examples{listed} {verb}"


def check(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.schema_name != SKILLS:
        return
    examples = list(seed_examples(ctx.mapping))
    grounded = [i for i, (_, e) in enumerate(examples) if "context" in e]
    freeform = [i for i, (_, e) in enumerate(examples) if "context" not in e]
    if grounded and freeform:
        yield ctx.diag(
            CODE,
            f"{_which(grounded)} a context and {_which(freeform, negative=True)}; a skill is "
            "either grounded (a context in every example) or freeform (none)",
            ".seed_examples",
            severity=SEVERITY,
        )
