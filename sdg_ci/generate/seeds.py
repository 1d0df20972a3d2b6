"""Seed examples read from a validated leaf, tolerant of optional fields.

Why tolerant: validation already reported what is wrong; generation uses what is usable
(a seed without a question or answer is skipped) rather than failing the leaf.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SkillSeed:
    index: int
    question: str
    answer: str
    context: str | None = None


@dataclass
class KnowledgeSeed:
    index: int
    context: str
    qas: list[tuple[str, str]] = field(default_factory=list)


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _examples(data) -> list:
    examples = data.get("seed_examples") if isinstance(data, dict) else None
    return examples if isinstance(examples, list) else []


def skill_seeds(data, limit: int = 0) -> list[SkillSeed]:
    seeds = []
    for index, item in enumerate(_examples(data)):
        if not isinstance(item, dict):
            continue
        question, answer = _text(item.get("question")), _text(item.get("answer"))
        if question and answer:
            seeds.append(SkillSeed(index, question, answer, _text(item.get("context")) or None))
    return seeds[:limit] if limit else seeds


def knowledge_seeds(data, limit: int = 0) -> list[KnowledgeSeed]:
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
            seeds.append(KnowledgeSeed(index, _text(item.get("context")), qas))
    return seeds[:limit] if limit else seeds


def task_description(data) -> str:
    return _text(data.get("task_description")) if isinstance(data, dict) else ""


def skill_plan(engine, run) -> tuple[list[SkillSeed], str, list[str]]:
    """What a skill leaf's run starts from: the seeds used (at most `max_seeds`), the task,
    and every seed question (all of them, so leakage is checked against the whole leaf)."""
    seeds = skill_seeds(run.leaf.data, engine.scale.max_seeds)
    run.seeds = len(seeds)
    if not seeds:
        run.notes.append("no usable seed examples (question and answer); nothing generated")
    seed_questions = [s.question for s in skill_seeds(run.leaf.data)]
    return seeds, task_description(run.leaf.data), seed_questions
