"""Reading model replies: JSON first, then tagged or loose text, else a ParseError.

Why lenient: small teachers wrap JSON in prose or code fences, number their questions, or
ignore the schema; a reply that holds the answer should count. What cannot be read becomes
a parse failure with the raw text kept, counted apart from critic rejections.
"""

from __future__ import annotations

import json
import re

NUMBERING = re.compile(r"^\s*(?:[-*•]|\(?\d{1,3}[.):]|q\d*[.:)]|question\s*\d*[.:)])\s*", re.I)


PLACEHOLDER = re.compile(r"^\s*(<[^<>]*>|\.\.\.|question \d+\??)\s*$", re.I)  # a copied template


class ParseError(Exception):
    pass


def load_json_object(text: str) -> dict | None:
    """The first JSON object in `text` (bare, fenced or inside prose), or None."""
    text = text.strip()
    if text.startswith("```"):
        text = re.sub(r"^```[a-zA-Z]*\s*|\s*```$", "", text)
    try:
        value = json.loads(text)
        return value if isinstance(value, dict) else None
    except ValueError:
        pass
    start = text.find("{")
    while start != -1:
        try:
            value, _ = json.JSONDecoder().raw_decode(text, start)
            if isinstance(value, dict):
                return value
        except ValueError:
            pass
        start = text.find("{", start + 1)
    return None


def questions(text: str, count: int) -> list[str]:
    """Up to `count` questions: from {"questions": [...]}, else one per numbered line."""
    obj = load_json_object(text)
    if obj is not None and isinstance(obj.get("questions"), list):
        items = [q.strip() for q in obj["questions"] if isinstance(q, str) and q.strip()]
    else:  # a numbered or bulleted list, or lines that are questions; prose is not
        lines = [line.strip() for line in text.splitlines()]
        items = [line for line in lines if NUMBERING.match(line) or line.endswith("?")]
        items = [q for q in items if not q.startswith(("{", "}", "[", "]", '"questions"'))]
    items = [NUMBERING.sub("", q).strip() for q in items]
    items = [q for q in items if len(q) >= 8 and not PLACEHOLDER.match(q)]
    if not items:
        raise ParseError("no questions found in the reply")
    return items[:count]


def verdict(text: str) -> tuple[bool, str]:
    """(keep, reason) from {"verdict": "keep"|"drop", "reason": ...} or `verdict: keep`."""
    obj = load_json_object(text)
    if obj is not None and isinstance(obj.get("verdict"), str):
        word = obj["verdict"].strip().lower()
        reason = str(obj.get("reason", "")).strip()
    else:
        match = re.search(r"verdict\W{0,5}(keep|drop)\b", text, re.I)
        if not match:
            raise ParseError("no keep/drop verdict in the reply")
        word = match.group(1).lower()
        reason = _tagged(text, "reason")
    if word not in ("keep", "drop"):
        raise ParseError(f"verdict {word!r} is neither keep nor drop")
    return word == "keep", reason or "(no reason given)"


def rating(text: str) -> tuple[int, str]:
    """(rating 1-3, reason) from JSON or `rating: N`."""
    obj = load_json_object(text)
    value = obj.get("rating") if obj is not None else None
    reason = str(obj.get("reason", "")).strip() if obj is not None else ""
    if value is None:
        match = re.search(r"rating\W{0,5}([123])\b", text, re.I)
        if not match:
            raise ParseError("no 1-3 rating in the reply")
        value, reason = match.group(1), _tagged(text, "reason")
    return _int_in(value, (1, 2, 3), "rating"), reason or "(no reason given)"


def knowledge_eval(text: str) -> dict:
    """Faithfulness (bool), relevancy (0-2) and rating (1-3), each with its reason."""
    obj = load_json_object(text)
    if obj is None:
        raise ParseError("the evaluation is not a JSON object")
    faithful = obj.get("faithful")
    if isinstance(faithful, str) and faithful.strip().lower() in ("true", "yes", "false", "no"):
        faithful = faithful.strip().lower() in ("true", "yes")
    if not isinstance(faithful, bool):
        raise ParseError("'faithful' is not true or false")
    return {
        "faithful": faithful,
        "faithfulness_reason": str(obj.get("faithfulness_reason", "")).strip(),
        "relevancy": _int_in(obj.get("relevancy"), (0, 1, 2), "relevancy"),
        "relevancy_reason": str(obj.get("relevancy_reason", "")).strip(),
        "rating": _int_in(obj.get("rating"), (1, 2, 3), "rating"),
        "rating_reason": str(obj.get("rating_reason", "")).strip(),
    }


def plain_text(text: str) -> str:
    """A free-text reply (answer, context): stripped; empty or a bare JSON shell fails."""
    text = text.strip()
    if text.startswith("```") and text.endswith("```") and text.count("```") == 2:
        text = re.sub(r"^```[a-zA-Z]*\s*|\s*```$", "", text).strip()
    if len(text) < 2 or text in ("{}", "[]", '""'):
        raise ParseError("the reply is empty")
    return text


def _int_in(value: object, allowed: tuple[int, ...], name: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ParseError(f"{name} {value!r} is not a number") from None
    if number not in allowed:
        raise ParseError(f"{name} {number} is outside {allowed[0]}-{allowed[-1]}")
    return number


def _tagged(text: str, tag: str) -> str:
    match = re.search(rf"{tag}\s*[:=]\s*(.+)", text, re.I)
    return match.group(1).strip().strip('",') if match else ""
