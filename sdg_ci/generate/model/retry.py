"""What to do about a failed request: retry or not, is it overload, how long to wait.

Why separate: the rules (Retry-After, which status codes are worth retrying, which errors
mean the prompt itself is too long) are policy, easy to test without a network.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp
import openai

from sdg_ci.generate.model.senders import HTTPStatusError
from sdg_ci.generate.model.transport import TimedOut, TransportError

MAX_RETRY_AFTER_S = 300.0
CONTEXT_WORDS = ("context length", "context window", "maximum context", "too many tokens",
                 "exceeds the context", "prompt is too long", "context_length", "n_ctx")


@dataclass
class Fault:
    reason: str  # short, shown per row: "timeout", "HTTP 429", "connection error", ...
    retryable: bool = True
    overload: bool = False
    retry_after: float | None = None
    too_long: bool = False  # the prompt does not fit: retrying cannot help
    unsupported_schema: bool = False  # the server refuses response_format
    outage: bool = False  # the server is not there (refused, 502/503): wait for it to return


class BadReply(Exception):
    """A 200 answer that is not a usable chat completion (empty choices, wrong shape)."""


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from `retry-after-ms` or `retry-after` (seconds or an HTTP date)."""
    if headers is None:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return min(float(value) / 1000.0, MAX_RETRY_AFTER_S)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER_S)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        return min(max(email.utils.mktime_tz(parsed) - time.time(), 0.0), MAX_RETRY_AFTER_S)


def classify(exc: BaseException) -> Fault:
    """Map an exception from the openai client (or our reply checks) to a Fault."""
    if isinstance(exc, openai.APITimeoutError):
        return Fault("timeout", overload=True)
    if isinstance(exc, openai.APIConnectionError):
        return Fault("connection error", outage=True)
    if isinstance(exc, openai.APIStatusError):
        return _status_fault(exc.status_code, exc.message, exc.response.headers)
    if isinstance(exc, HTTPStatusError):
        return _status_fault(exc.status_code, exc.text, exc.headers)
    if isinstance(exc, (TimedOut, aiohttp.ServerTimeoutError, TimeoutError)):
        return Fault("timeout", overload=True)
    if isinstance(exc, aiohttp.ClientConnectionError):
        return Fault(f"connection error: {_short(exc)}", outage=True)
    if isinstance(exc, aiohttp.ClientPayloadError):
        return Fault(f"malformed reply: {_short(exc)}")
    if isinstance(exc, TransportError):
        return Fault(f"connection error: {exc}", outage=True)
    if isinstance(exc, (openai.APIResponseValidationError, BadReply, json.JSONDecodeError,
                        ValueError, KeyError, TypeError)):
        return Fault(f"malformed reply: {_short(exc)}")
    return Fault(f"{type(exc).__name__}: {_short(exc)}")


def _status_fault(code: int, message: str, headers: Mapping[str, str] | None) -> Fault:
    text = " ".join(message.split())
    short = text if len(text) <= 160 else text[:159] + "…"
    text = text.lower()
    if code == 429:
        return Fault("HTTP 429 (rate limited)", overload=True,
                     retry_after=parse_retry_after(headers))
    if code in (502, 503, 504):
        return Fault(f"HTTP {code}", overload=True, retry_after=parse_retry_after(headers),
                     outage=code != 504)
    if code >= 500:
        return Fault(f"HTTP {code}")
    if code in (400, 413, 422) and any(w in text for w in CONTEXT_WORDS):
        return Fault(f"HTTP {code}: prompt too long: {short}", retryable=False,
                     too_long=True)
    if code == 400 and ("response_format" in text or "json_schema" in text):
        return Fault(f"HTTP {code}: {short}", retryable=False, unsupported_schema=True)
    if code == 408:
        return Fault("HTTP 408", overload=True)
    return Fault(f"HTTP {code}: {short}", retryable=False)


def backoff(attempt: int, base: float, cap: float, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter; a server's Retry-After wins when it is longer."""
    delay = min(cap, base * (2 ** attempt)) * (0.5 + random.random() / 2)
    return max(delay, retry_after or 0.0)


def _short(exc: BaseException, limit: int = 120) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
