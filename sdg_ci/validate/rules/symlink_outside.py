"""The leaf is a symlink (or lies under one) that points outside the taxonomy; it is refused.

A taxonomy is checked out from a pull request: a link to `/etc/passwd` or to another
checkout must not be read, let alone sent to a model. Links that stay inside the taxonomy
are followed. Fix: copy the file into the taxonomy instead of linking to it.
"""

CODE = "Q010"
NAME = "symlink-outside"
SEVERITY = "error"


def check(ctx):
    return ctx.found(CODE)
