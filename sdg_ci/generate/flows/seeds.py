"""Seed examples read from a validated leaf, tolerant of optional fields.

`SkillExample` and `KnowledgeExample` are what generation starts from; they are not the
schema of `qna.yaml` (that is `sdg_ci.validate.schema`).

Why tolerant: validation already reported what is wrong; generation uses what is usable
(a seed without a question or answer is skipped) rather than failing the leaf.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sdg_ci.generate.flows.context import RunContext
from sdg_ci.generate.ledger.ledger import LeafLedger


@dataclass
class SkillExample:
    """A usable skill seed example: a question and its answer (and context, if grounded)."""

    index: int  # its position in seed_examples
    question: str
    answer: str
    context: str | None = None


@dataclass
class KnowledgeExample:
    """A usable knowledge seed example: its context and the Q&A pairs that have both."""

    index: int  # its position in seed_examples
    context: str
    qas: list[tuple[str, str]] = field(default_factory=list)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _examples(data: Any) -> list:
    examples = data.get("seed_examples") if isinstance(data, dict) else None
    return examples if isinstance(examples, list) else []


def skill_examples(data: Any, limit: int = 0) -> list[SkillExample]:
    seeds = []
    for index, item in enumerate(_examples(data)):
        if not isinstance(item, dict):
            continue
        question, answer = _text(item.get("question")), _text(item.get("answer"))
        if question and answer:
            seeds.append(SkillExample(index, question, answer, _text(item.get("context")) or None))
    return seeds[:limit] if limit else seeds


def knowledge_examples(data: Any, limit: int = 0) -> list[KnowledgeExample]:
    seeds = []
    for index, item in enumerate(_examples(data)):
        if not isinstance(item, dict):
            continue
        pairs = item.get("questions_and_answers")
        qas = [
            (_text(p.get("question")), _text(p.get("answer")))
            for p in (pairs if isinstance(pairs, list) else [])
            if isinstance(p, dict) and _text(p.get("question")) and _text(p.get("answer"))
        ]
        if qas:
            seeds.append(KnowledgeExample(index, _text(item.get("context")), qas))
    return seeds[:limit] if limit else seeds


def task_description(data: Any) -> str:
    return _text(data.get("task_description")) if isinstance(data, dict) else ""


def skill_plan(ctx: RunContext, ledger: LeafLedger) -> tuple[list[SkillExample], str, list[str]]:
    """What a skill leaf's run starts from: the seeds used (at most `max_seeds`), the task,
    and every seed question (all of them, so leakage is checked against the whole leaf)."""
    data = ledger.leaf.data
    seeds = skill_examples(data, ctx.scale.max_seeds)
    ledger.seeds = len(seeds)
    if not seeds:
        ledger.notes.append("no usable seed examples (question and answer); nothing generated")
    seed_questions = [s.question for s in skill_examples(data)]
    return seeds, task_description(data), seed_questions
