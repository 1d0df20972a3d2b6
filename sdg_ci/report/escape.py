"""Making untrusted text safe to show in a GitHub comment or job summary.

Everything a contributor wrote (questions, answers, contexts, file names, model output
grown from them, critic reasons) is untrusted. GitHub renders comments as GitHub-flavoured
markdown with a subset of HTML, so untrusted text could otherwise:

- inject raw HTML (`<img src=...>` beacons that ping a server when the PR is viewed,
  `<details>` that swallows the rest of the report, fake hidden markers `<!-- ... -->`);
- ping people or teams with `@mentions`, or spam cross-references with `#123`/`org/repo#1`;
- load images with `![](https://...)` (a tracking beacon);
- break out of a table cell with `|` or a newline, or out of a code block with a fence.

The helpers here close each of those doors:

- `inline(text)`: text inside a line or a table cell. Newlines become spaces, HTML-special
  characters become entities, markdown punctuation is backslash-escaped (so no link, image,
  emphasis, heading, list, table pipe or math), mentions and references are broken with a
  zero-width space.
- `code_span(text)`: a file path or short identifier as inline code, with a backtick run
  longer than any inside it (and `|` escaped inside tables).
- `code_block(text)`: a fenced block whose fence is longer than any backtick run inside, so
  the text cannot close it; mentions inside code blocks are not linked by GitHub.

All of them drop control characters and Unicode bidirectional overrides (which can make
text read differently from what it is) and cut text to a length limit, saying so.
"""

from __future__ import annotations

import functools
import re
import unicodedata

ZWSP = "\u200b"  # zero-width space: breaks @mentions and #references without showing

# C0/C1 controls except tab and newline; bidi embedding/override/isolate marks.
_UNSAFE_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufeff]"
)
# Markdown punctuation that can start or end syntax anywhere in a line (GFM allows a
# backslash before any ASCII punctuation, so over-escaping is harmless).
_MD_SPECIAL = "\\`*_[]()!|~#+-=$^{}:."
_INLINE_TABLE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
    | {c: "\\" + c for c in _MD_SPECIAL}
)
# @user, @org/team; also the e-mail-like forms GitHub does not link are left readable.
_MENTION = re.compile(r"@(?=[A-Za-z0-9_])")
# #123, GH-123, org/repo#123: issue and pull-request references create backlinks.
_REFERENCE = re.compile(r"(#|GH\\?-)(?=\d)", re.IGNORECASE)


def clean(text: object) -> str:
    """`text` as a string without control characters or bidi overrides; CRLF -> LF."""
    s = "" if text is None else str(text)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE_CHARS.sub("", s)


def truncate(text: str, limit: int | None) -> str:
    """Cut `text` to about `limit` characters, saying how much was cut."""
    if limit is None or len(text) <= limit:
        return text
    return text[:limit].rstrip() + f" … [cut: {len(text) - limit:,} more characters]"


def _defang(text: str) -> str:
    text = _MENTION.sub("@" + ZWSP, text)
    return _REFERENCE.sub(lambda m: m.group(1) + ZWSP, text)


def inline(text: object, limit: int | None = 300) -> str:
    """Untrusted text for a line of markdown or a table cell: renders as plain text."""
    return _inline("" if text is None else str(text), limit)


@functools.lru_cache(maxsize=8192)  # the renderer tries several sizes with the same texts
def _inline(text: str, limit: int | None) -> str:
    s = clean(text)
    s = " ".join(s.split())  # newlines and runs of whitespace -> one space
    s = truncate(s, limit)
    return _defang(s.translate(_INLINE_TABLE))


def code_span(text: object, limit: int | None = 200, in_table: bool = True) -> str:
    """Untrusted short text (a path, a code) as inline code that cannot be broken out of."""
    s = " ".join(clean(text).split())
    s = truncate(s, limit)
    longest = max((len(run) for run in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    if s.startswith("`") or s.endswith("`") or longest:
        s = f" {s} "
    if in_table:
        s = s.replace("|", "\\|")
    return f"{fence}{s}{fence}" if s else ""


def code_block(text: object, limit: int | None = 2000, info: str = "text") -> str:
    """Untrusted multi-line text as a fenced code block it cannot close.

    The fence is one backtick longer than the longest backtick run in the text (at least
    three); a tilde fence inside cannot close a backtick fence. Mentions inside code blocks
    are not linked by GitHub; they are broken anyway, in case the text is shown elsewhere.
    """
    s = truncate(clean(text).expandtabs(4), limit)
    longest = max((len(run) for run in re.findall(r"`+", s)), default=0)
    fence = "`" * max(3, longest + 1)
    s = _defang(s)
    return f"{fence}{info}\n{s}\n{fence}"


def url_path(path: str) -> str:
    """A repository path for a URL: every character outside [A-Za-z0-9/._-] is %-encoded."""
    from urllib.parse import quote

    return quote(clean(path).replace("\n", ""), safe="/._-")


def plain(text: object, limit: int | None = 300) -> str:
    """Untrusted text for a plain-text log line (one line, no controls, bounded)."""
    s = " ".join(clean(text).split())
    s = unicodedata.normalize("NFC", s)
    return truncate(s, limit)


def quoted(text: object, limit: int | None = 1500) -> str:
    """Untrusted multi-line prose as the body of a markdown blockquote (without the first
    `> `): each line escaped like `inline()`, line breaks kept, blank lines kept."""
    s = truncate(clean(text), limit)
    out = []
    for line in s.split("\n"):
        out.append(inline(line, None) if line.strip() else "")
    # collapse runs of blank lines; hard line breaks (two spaces) inside paragraphs
    lines: list[str] = []
    for line in out:
        if not line and (not lines or not lines[-1]):
            continue
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    rendered = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        rendered.append(line + ("  " if line and nxt else ""))
    return "\n> ".join(rendered)
