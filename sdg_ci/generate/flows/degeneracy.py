"""Degenerate answers: what a weak teacher writes and a weak critic still rates well.

Why a rule and not the critic: "The answer to this question is:" repeated 28 times was rated
2 by a small critic, and a command looping on itself was judged faithful. A loop, an answer
that only restates the question, and unfilled template text are visible in the text itself,
cheaply and deterministically, so they are dropped before the rating with their own reason.
"""

from __future__ import annotations

import re
from collections import Counter

from sdg_ci.config import GenerateSettings
from sdg_ci.generate.ledger.dedup import normalize, shingles, similarity
from sdg_ci.generate.ledger.rows import Row

SEGMENT = re.compile(r"[\n.!?;]+")
PLACEHOLDER = re.compile(
    r"\[(?:insert|your|answer|placeholder|todo)[^\]]{0,60}\]|<(?:answer|insert)[^>]{0,40}>"
    r"|\{\{?\s*\w+\s*\}?\}|\$(?:answer|question|task|chunk|context)\b|lorem ipsum",
    re.IGNORECASE)
MIN_REPEATS = 3  # a sentence (of two words or more) said this often ...
MIN_REPEAT_SHARE = 0.5  # ... making up this share of the answer's sentences is a loop
NGRAM = 4
MIN_NGRAM_WORDS = 30  # judge word-level loops only on answers this long
MAX_REPEATED_NGRAMS = 0.7  # share of 4-word sequences that repeat an earlier one
RESTATE_SIMILARITY = 0.8
MIN_ANSWER_WORDS = 1


def degenerate(settings: GenerateSettings, row: Row) -> tuple[bool, str]:
    """(keep, reason): the reason says what is wrong with the answer in our words."""
    problem = degeneracy(row.question, row.answer or "")
    if problem is None:
        return True, "not degenerate"
    return False, problem


def degeneracy(question: str, answer: str) -> str | None:
    """What makes `answer` degenerate, or None."""
    words = normalize(answer).split()
    if len(words) < MIN_ANSWER_WORDS:
        return "empty answer"
    found = PLACEHOLDER.search(answer)
    if found:
        return f"template text left in the answer ({found.group(0)[:40]!r})"
    stripped = answer.strip()
    if stripped.endswith(":") and len(words) <= 12:
        return "a lead-in with nothing after it"
    loop = _repeated_sentence(answer)
    if loop is not None:
        return loop
    if len(words) >= MIN_NGRAM_WORDS:
        grams = [tuple(words[i:i + NGRAM]) for i in range(len(words) - NGRAM + 1)]
        repeated = 1 - len(set(grams)) / len(grams)
        if repeated >= MAX_REPEATED_NGRAMS:
            return f"repetitive: {repeated:.0%} of its word sequences repeat"
    q, a = shingles(question), shingles(answer)
    if normalize(answer) == normalize(question) or (
            a and a <= q) or similarity(q, a) >= RESTATE_SIMILARITY:
        return "restates the question"
    return None


def _repeated_sentence(answer: str) -> str | None:
    segments = [normalize(s) for s in SEGMENT.split(answer)]
    segments = [s for s in segments if len(s.split()) >= 2]
    if not segments:
        return None
    text, count = Counter(segments).most_common(1)[0]
    if count >= MIN_REPEATS and count / len(segments) >= MIN_REPEAT_SHARE:
        short = text if len(text) <= 60 else text[:59] + "…"
        return f"repeats “{short}” {count} times"
    return None
