"""Duplicate and leakage detection for generated questions.

Why words and word pairs: teachers repeat themselves with small edits ("How do I..." vs
"How can I..."); Jaccard similarity over normalised words and adjacent word pairs catches
that without a model, is deterministic and fast enough for thousands of questions a leaf.
A question close to a seed question is leakage: it would teach the model its own test.
"""

from __future__ import annotations

import re
import unicodedata

WORD = re.compile(r"\w+", re.UNICODE)


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(WORD.findall(text))


def shingles(text: str) -> frozenset[str]:
    words = normalize(text).split()
    return frozenset(words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)])


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 1.0 if a == b else 0.0
    return len(a & b) / len(a | b)


class DedupIndex:
    """Questions seen so far; `check` says whether a new one repeats a seed or a kept one."""

    def __init__(self, threshold: float, seed_questions: list[str] = ()):  # type: ignore[assignment]
        self.threshold = threshold
        self._seeds = [(normalize(q), shingles(q)) for q in seed_questions]
        self._exact: set[str] = set()
        self._kept: list[frozenset[str]] = []

    def check(self, question: str) -> tuple[str, str] | None:
        """None if new (and remember it); else (reason class, reason)."""
        norm, sh = normalize(question), shingles(question)
        for index, (seed_norm, seed_sh) in enumerate(self._seeds):
            if norm == seed_norm or similarity(sh, seed_sh) >= self.threshold:
                return "seed_leakage", f"repeats seed example {index + 1}"
        if norm in self._exact:
            return "duplicate", "exact duplicate of an earlier question"
        for other in self._kept:
            score = similarity(sh, other)
            if score >= self.threshold:
                return "duplicate", f"near-duplicate of an earlier question ({score:.2f})"
        self._exact.add(norm)
        self._kept.append(sh)
        return None
