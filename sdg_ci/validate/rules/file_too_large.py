"""The file is larger than the size limit (1 MiB by default); it is refused unread.

A qna.yaml holds a few seed examples, not whole documents: knowledge documents belong in
the repository named by `document.repo`. The limit is `validate.max_file_bytes` in
`.sdg-ci.yaml`.
"""

CODE = "Q012"
NAME = "file-too-large"
SEVERITY = "error"


def check(ctx):
    return ctx.found(CODE)
