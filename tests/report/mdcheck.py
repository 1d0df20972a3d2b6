"""Structural checks on rendered markdown: what a hostile contributor must never achieve.

No markdown library is needed: the properties are checked on the text itself, the way
GitHub's parser would see it (GFM: tables split on unescaped pipes, fences close on a
line of at least as many backticks, raw HTML starts with `<` followed by a tag name).
"""

from __future__ import annotations

import re

ALLOWED_TAGS = {"<details>", "</details>", "<summary>", "</summary>"}
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def outside_code_blocks(text: str) -> list[str]:
    """The lines that GitHub would not treat as the inside of a fenced code block."""
    lines, fence = [], None
    for line in text.split("\n"):
        m = FENCE.match(line)
        if fence is None:
            if m:
                fence = m.group(1)
                continue
            lines.append(line)
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                and not m.group(2).strip():
            fence = None
    assert fence is None, "a code block is left open"
    return lines


def strip_code_spans(line: str) -> str:
    """The line without its code spans (a backtick run up to the next run of the same
    length; a backslash-escaped backtick opens nothing)."""
    out, i = [], 0
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line):
            out.append(line[i : i + 2])
            i += 2
            continue
        if c == "`":
            j = i
            while j < len(line) and line[j] == "`":
                j += 1
            run = line[i:j]
            m = re.compile(r"(?<!`)" + run + r"(?!`)").search(line, j)
            if m:
                out.append(" ")
                i = m.end()
                continue
            out.append(run)
            i = j
            continue
        out.append(c)
        i += 1
    return "".join(out)


def raw_html(text: str) -> list[str]:
    """Every raw HTML tag or comment outside code that is not one we write."""
    found = []
    for line in map(strip_code_spans, outside_code_blocks(text)):
        for m in re.finditer(r"<(/?[A-Za-z][^>\s]*|!--)[^>]*>?", line):
            tag = m.group(0)
            if tag in ALLOWED_TAGS or tag.startswith("<!-- sdg-ci:pr-summary"):
                continue
            found.append(tag)
    return found


def unescaped(text: str, char: str) -> list[int]:
    """Positions of `char` not preceded by an odd number of backslashes."""
    out = []
    for i, c in enumerate(text):
        if c == char:
            j, n = i - 1, 0
            while j >= 0 and text[j] == "\\":
                n += 1
                j -= 1
            if n % 2 == 0:
                out.append(i)
    return out


def tables(text: str) -> list[list[str]]:
    """Each table (header, delimiter, rows) as its lines."""
    result, current = [], None
    lines = outside_code_blocks(text)
    for i, line in enumerate(lines):
        if current is None:
            if line.startswith("|") and i + 1 < len(lines) and re.match(r"^\|(-+\|)+$",
                                                                      lines[i + 1]):
                current = [line]
        elif line.startswith("|"):
            current.append(line)
        else:
            result.append(current)
            current = None
    if current:
        result.append(current)
    return result


def cell_count(row: str) -> int:
    return len(unescaped(row, "|")) - 1


def assert_safe(text: str, limit: int = 65536) -> None:
    """Everything the hostile-text tests require of a rendered summary."""
    assert len(text) < limit, f"{len(text)} characters"
    assert raw_html(text) == [], raw_html(text)
    body = "\n".join(map(strip_code_spans, outside_code_blocks(text)))
    # no images (beacons), no links except the ones we build to the head commit / run
    assert not re.search(r"(?<!\\)!\[", body), "an image"
    for m in re.finditer(r"\]\(([^)]*)\)", body):
        assert m.group(1).startswith(("https://github.com/octo/taxonomy/",
                                      "https://github.com/o/r/")), m.group(1)
    # no mention or reference that GitHub would link
    assert not re.search(r"(?<![\w`])@[A-Za-z0-9_]", body), "a mention"
    assert not re.search(r"(?<![\w&])#\d", body), "an issue reference"
    # tables keep their shape
    for table in tables(text):
        width = cell_count(table[0])
        for row in table:
            assert cell_count(row) == width, row
    assert "<details>" not in body or body.count("<details>") == body.count("</details>")
