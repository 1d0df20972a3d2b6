"""Context budget: a prompt plus its reply must fit the model's context window.

Why: servers answer an over-long prompt with an opaque 400 (or silently truncate), and the
user never learns which seed or chunk was too big. We estimate tokens without a tokenizer
(with the calibrated rule of `sdg_ci.taxonomy.tokens`, which leans high) and say which input to
shorten before calling.
"""

from __future__ import annotations

from sdg_ci.taxonomy.tokens import estimate_tokens

PER_MESSAGE_TOKENS = 8
MIN_REPLY_TOKENS = 64


class TooLong(Exception):
    pass


def prompt_tokens(messages: list[dict[str, str]]) -> int:
    return sum(estimate_tokens(m["content"]) + PER_MESSAGE_TOKENS
               for m in messages)


def fit_reply(messages: list[dict[str, str]], max_tokens: int, window: int | None) -> int:
    """The reply budget to ask for: `max_tokens`, cut to what the window leaves, or TooLong."""
    if not window:
        return max_tokens
    used = prompt_tokens(messages)
    room = window - used
    if room >= max_tokens:
        return max_tokens
    if room >= min(max_tokens, MIN_REPLY_TOKENS) and room >= max_tokens // 2:
        return room
    raise TooLong(
        f"prompt of ~{used:,} tokens plus a {max_tokens:,}-token reply does not fit the "
        f"{window:,}-token context window"
    )
