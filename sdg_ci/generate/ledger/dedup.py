"""Duplicate and leakage detection for generated questions.

Why content words and their pairs: teachers repeat themselves with small edits ("How do I
boil an egg?" vs "How can I boil the egg?"), while template-like questions that differ in
one content word ("plural of mouse" vs "plural of goose") are different questions. Jaccard
similarity over the content words (English function words dropped) and adjacent content
word pairs tells them apart without a model, deterministically and fast. A question close
to a seed question is leakage: it would teach the model its own test.

Two passes use it: `admit` as a group's questions arrive (against each other and the seed
questions), and `final_dedup` over a finished leaf's kept pairs, in their fixed order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from sdg_ci.generate.ledger.ledger import LeafLedger
from sdg_ci.generate.ledger.rows import Row
from sdg_ci.records.stages import Stage

WORD = re.compile(r"\w+", re.UNICODE)
FUNCTION_WORDS = frozenset("""
a an the and or but if then so of to in on at by for with from into onto about as is are was
were be been being do does did can could will would shall should may might must i you he she
it we they me him her us them my your his its our their this that these those there here
what which who whom whose when where why how please some any""".split())


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(WORD.findall(text))


def shingles(text: str) -> frozenset[str]:
    words = normalize(text).split()
    content = [w for w in words if w not in FUNCTION_WORDS]
    if len(content) >= 2:  # else the question is all function words: compare them all
        words = content
    return frozenset(words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)])


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 1.0 if a == b else 0.0
    return len(a & b) / len(a | b)


class DedupIndex:
    """Questions seen so far; `check` says whether a new one repeats a seed or a kept one."""

    def __init__(self, threshold: float, seed_questions: Sequence[str] = ()):
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


def admit(ledger: LeafLedger, rows: list[Row], seed_questions: Sequence[str],
          threshold: float) -> list[Row]:
    """Record a group's new rows; drop exact and near duplicates within the group and
    repeats of a seed question; return the rows that go on."""
    index = DedupIndex(threshold, seed_questions)
    fresh = []
    for row in rows:
        ledger.rows.append(row)
        ledger.enter(Stage.DEDUP)
        dup = index.check(row.question)
        if dup is not None:
            ledger.reject(row, Stage.DEDUP, dup[0], dup[1])
            continue
        ledger.passed(Stage.DEDUP)
        fresh.append(row)
    return fresh


def final_dedup(ledger: LeafLedger, threshold: float) -> None:
    """Across the whole leaf, in a fixed order: later repeats of a kept question go."""
    index = DedupIndex(threshold)
    for row in sorted((r for r in ledger.rows if r.status == "kept"), key=lambda r: r.order):
        ledger.enter(Stage.PAIR_DEDUP)
        dup = index.check(row.question)
        if dup is not None:
            ledger.reject(row, Stage.PAIR_DEDUP, dup[0], dup[1])
        else:
            ledger.passed(Stage.PAIR_DEDUP)
