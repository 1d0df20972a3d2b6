"""The path cannot be followed to a file: a symlink loop, or a name too long for the system.

A `qna.yaml` that is a link to itself (or to a link that leads back), or a path longer
than the operating system accepts, names no file at all. It is a problem of this file,
reported with the system's reason; the other files are still checked and generated for.
Fix: point the link at a real file, or shorten the folder names.
"""

CODE = "Q016"
NAME = "unresolvable-path"
SEVERITY = "error"


def check(ctx):
    return ctx.found(CODE)
