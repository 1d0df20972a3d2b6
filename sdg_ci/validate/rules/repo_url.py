"""`document.repo` is not an https URL.

Generation fetches the documents with git from this address; anything but an https URL
(a path, an ssh address, plain words) fails there or depends on local credentials.

Bad:

```yaml
document:
  repo: my knowledge docs
```

Good:

```yaml
document:
  repo: https://github.com/your-name/knowledge-docs
```
"""

from collections.abc import Iterator
from urllib.parse import urlsplit

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.validate.context import Context

CODE = "Q303"
NAME = "repo-not-https"
SEVERITY = "warning"


def check(ctx: Context) -> Iterator[Diagnostic]:
    document = (ctx.mapping or {}).get("document")
    repo = document.get("repo") if isinstance(document, dict) else None
    if not isinstance(repo, str) or not repo.strip():
        return
    parts = urlsplit(repo.strip())
    if parts.scheme != "https" or not parts.netloc or " " in repo.strip():
        yield ctx.diag(
            CODE,
            f"document.repo {repo!r} is not an https URL; give the https address of the git "
            "repository holding the documents (e.g. https://github.com/you/docs)",
            ".document.repo",
            severity=SEVERITY,
        )
