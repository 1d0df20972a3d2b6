"""The file contains NUL bytes: it is binary, not YAML text.

Usually a file saved in the wrong format (UTF-16, a word-processor document) or a
binary committed under the wrong name. Save it as UTF-8 text.
"""

CODE = "Q014"
NAME = "binary-file"
SEVERITY = "error"


def check(ctx):
    return ctx.found(CODE)
