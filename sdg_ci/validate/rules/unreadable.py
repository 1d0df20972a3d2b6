"""The file cannot be read (permissions, a dangling symlink, an I/O error).

The operating system's reason is given. Fix the permissions or the link.
"""

CODE = "Q013"
NAME = "unreadable"
SEVERITY = "error"


def check(ctx):
    return ctx.found(CODE)
