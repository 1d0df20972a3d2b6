"""Two seed examples share the same context.

Each seed example should bring a different passage; a repeated context gives the teacher
model less to work from (the schema's uniqueness check compares whole seed examples, so
it lets this through).

Bad:

```yaml
seed_examples:
  - context: The black-capped chickadee is a small songbird.
    questions_and_answers:
      - {question: What kind of bird is a chickadee?, answer: A small songbird.}
  - context: The black-capped chickadee is a small songbird.
    questions_and_answers:
      - {question: How big is a chickadee?, answer: Small.}
```

Good: a different context in each seed example.
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context
from sdg_ci.validate.schema import _canonical
from sdg_ci.validate.seeds import seed_examples

CODE = "Q308"
NAME = "duplicate-context"
SEVERITY = "warning"


def check(ctx: Context) -> Iterator[Diagnostic]:
    seen: dict[str, tuple[str, object]] = {}
    for path, example in seed_examples(ctx.mapping):
        context = example.get("context")
        if not isinstance(context, str) or not context.strip():
            continue
        key = " ".join(context.split())
        if key in seen:
            first_path, first_example = seen[key]
            if _canonical(first_example) == _canonical(example):
                continue  # the whole example is repeated: Q106 says so
            yield ctx.diag(
                CODE,
                f"{path[1:]}.context repeats {first_path[1:]}.context; give each seed "
                "example its own passage",
                f"{path}.context",
                severity=SEVERITY,
            )
        else:
            seen[key] = (path, example)
