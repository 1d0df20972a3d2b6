"""The file is not valid UTF-8.

The message names the first undecodable byte and its line and column; the usual cause is
text saved as Latin-1 or Windows-1252 (`café` with `é` as the single byte 0xE9). Save the
file as UTF-8. A UTF-8 byte-order mark is accepted.
"""

CODE = "Q015"
NAME = "not-utf8"
SEVERITY = "error"


def check(ctx):
    return ctx.found(CODE)
