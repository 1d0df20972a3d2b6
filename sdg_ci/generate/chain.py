"""The stages every leaf kind shares: write questions, dedup, critic, answer, judge.

Why one chain per row: a question goes to the critic the moment it exists and its answer is
requested the moment the critic keeps it, so there is no stage-wide barrier and the
endpoint stays busy; the row's stage counts are updated as it moves.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from sdg_ci.generate import parse
from sdg_ci.generate.ask import ask
from sdg_ci.generate.dedup import DedupIndex
from sdg_ci.generate.rows import Failure, Row

# scheduling rank: work with the longest remaining chain goes first (shortest makespan)
RANK = {"contexts": 0, "questions": 1, "question_critic": 2, "answers": 3, "judge": 4}


@dataclass
class KindSpec:
    critic: str  # prompt names
    answer: str
    judge: str
    judge_stage: str  # pair_rating | pair_eval
    parse_judge: Callable[[str], object]
    accept: Callable  # (engine, row, value) -> (keep, reason); records the scores on the row


async def write_questions(engine, run, prompt_name: str, variables: dict, *, count: int,
                          group: tuple, label: str, seed_index=None, chunk_id=None) -> list[str]:
    """`count` questions, asked `questions_per_call` at a time as n samples of one prompt."""
    if count <= 0:
        return []
    per_call = max(1, min(count, engine.settings.questions_per_call))
    batches = math.ceil(count / per_call)
    run.enter("questions", count)
    outcomes = await ask(
        engine, run, prompt_name, {**variables, "count": per_call},
        parse=lambda text: parse.questions(text, per_call), rank=RANK["questions"],
        group=group, label=label, n=batches, count=per_call,
    )
    got: list[str] = []
    for batch, out in enumerate(outcomes):
        asked = min(per_call, count - batch * per_call)
        if not out.ok:
            run.fail(Failure("questions", out.failure, out.reason, asked, label, seed_index,
                             chunk_id, out.raw))
            continue
        questions = out.value[:asked]
        got.extend(questions)
        if len(questions) < asked:
            run.fail(Failure("questions", "fewer_than_asked",
                             f"asked for {asked} questions, the reply held {len(questions)}",
                             asked - len(questions), label, seed_index, chunk_id))
    run.passed("questions", len(got))
    return got


def admit(engine, run, rows: list[Row], seed_questions: list[str]) -> list[Row]:
    """Drop exact and near duplicates within the group, and repeats of a seed question."""
    index = DedupIndex(engine.settings.near_duplicate_threshold, seed_questions)
    fresh = []
    for row in rows:
        run.rows.append(row)
        run.enter("dedup")
        dup = index.check(row.question)
        if dup is not None:
            run.reject(row, "dedup", dup[0], dup[1])
            continue
        run.passed("dedup")
        fresh.append(row)
    return fresh


async def pair_chain(engine, run, row: Row, spec: KindSpec, variables: dict) -> None:
    """Critic on the question, teacher's answer, critic's judgement of the pair."""
    base = {**variables, "question": row.question}
    group = row.order

    async def step(stage: str, prompt: str, values: dict, parser, rank: str):
        run.enter(stage)
        (out,) = await ask(engine, run, prompt, values, parse=parser, rank=RANK[rank],
                           group=group, label=row.label)
        if not out.ok:
            run.reject(row, stage, out.failure, out.reason, out.raw)
            return None
        return out.value

    verdict = await step("question_critic", spec.critic, base, parse.verdict, "question_critic")
    if verdict is None:
        return
    keep, reason = verdict
    row.scores["question_critic"] = {"verdict": "keep" if keep else "drop", "reason": reason}
    if not keep:
        run.reject(row, "question_critic", "critic", reason)
        return
    run.passed("question_critic")

    answer = await step("answers", spec.answer, base, parse.plain_text, "answers")
    if answer is None:
        return
    row.answer = answer
    run.passed("answers")

    judged = await step(spec.judge_stage, spec.judge, {**base, "answer": answer},
                        spec.parse_judge, "judge")
    if judged is None:
        return
    keep, reason = spec.accept(engine, row, judged)
    if not keep:
        run.reject(row, spec.judge_stage, "critic", reason)
        return
    run.passed(spec.judge_stage)
    run.keep(row)


def accept_rating(engine, row: Row, value) -> tuple[bool, str]:
    rating, reason = value
    row.scores["pair_rating"] = {"rating": rating, "reason": reason}
    minimum = engine.settings.min_pair_rating
    return rating >= minimum, f"rated {rating} (< {minimum}): {reason}"


def final_dedup(engine, run) -> None:
    """Across the whole leaf, in a fixed order: later repeats of a kept question go."""
    index = DedupIndex(engine.settings.near_duplicate_threshold)
    for row in sorted((r for r in run.rows if r.status == "kept"), key=lambda r: r.order):
        run.enter("pair_dedup")
        dup = index.check(row.question)
        if dup is not None:
            run.reject(row, "pair_dedup", dup[0], dup[1])
        else:
            run.passed("pair_dedup")


SKILL_SPECS = {
    "freeform": KindSpec("freeform_question_critic", "freeform_answer", "freeform_pair_rating",
                         "pair_rating", parse.rating, accept_rating),
    "grounded": KindSpec("grounded_question_critic", "grounded_answer", "grounded_pair_rating",
                         "pair_rating", parse.rating, accept_rating),
}
