"""Errors that end a command with exit status 2 and a one-line reason (no traceback)."""


class SdgCiError(Exception):
    """A usage error or a failure the user can act on; the message is the whole story."""
