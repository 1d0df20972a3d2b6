#!/usr/bin/env python3
"""Build the example knowledge-document repository from `examples/knowledge-docs/`.

    python examples/make_docs_repo.py DEST

DEST becomes a bare git repository whose branch `main` holds exactly the files of
`examples/knowledge-docs/`, committed with a fixed author, committer, date and message, so
the commit SHA is the same on every machine and every run. The script prints that SHA.

The knowledge leaf `taxonomy/knowledge/technology/version_control/git_object_storage/qna.yaml`
pins it in `document.commit`, and `taxonomy/.sdg-ci.yaml` serves the leaf's repo URL from the
same folder (`documents.snapshots`), building the repository on demand; this script is for
looking at the repository yourself or serving it elsewhere (e.g. as a `documents.mirrors`
target). After editing a document: run `examples/make_example_pdf.py` if the PDF text changed,
then this script, and put the SHA it prints into the qna.yaml's `document.commit`
(`tests/documents/test_example_docs.py` fails until you do).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sdg_ci.taxonomy.documents import build_snapshot_repo  # noqa: E402

DOCS = HERE / "knowledge-docs"


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    print(build_snapshot_repo(DOCS, Path(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
