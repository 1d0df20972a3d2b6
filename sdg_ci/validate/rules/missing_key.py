"""A required key is missing.

Skills need `version` (from version 2), `created_by`, `task_description` and
`seed_examples`, each example a `question` and an `answer`. Knowledge (version 3) needs
`version`, `created_by`, `domain`, `document_outline`, `seed_examples` (each a `context`
and `questions_and_answers`) and `document` (`repo`, `commit`, `patterns`). The message
names the key and what it is for.

Bad:

```yaml
version: 3
task_description: Give the plural of an irregular English noun.
seed_examples:
  - question: What is the plural of "mouse"?
```

Good:

```yaml
version: 3
task_description: Give the plural of an irregular English noun.
created_by: your-github-username
seed_examples:
  - question: What is the plural of "mouse"?
    answer: The plural of "mouse" is "mice".
```
"""

from collections.abc import Iterator

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q101"
NAME = "missing-key"
SEVERITY = "error"


def check(ctx: Context) -> Iterator[Diagnostic]:
    return ctx.found(CODE)
