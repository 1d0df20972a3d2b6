"""Freeform skill: per seed, new questions in its style -> critic -> answer -> 1-3 rating."""

from __future__ import annotations

import asyncio

from sdg_ci.generate.flows.context import RunContext
from sdg_ci.generate.flows.flow import Emit, Flow, Unit
from sdg_ci.generate.flows.seeds import SkillExample, skill_plan
from sdg_ci.generate.flows.steps import answer, answer_check, pair_rating, question_critic
from sdg_ci.generate.ledger.ledger import LeafLedger
from sdg_ci.taxonomy.leaf import LeafKind


async def fan_out(ctx: RunContext, ledger: LeafLedger, emit: Emit) -> None:
    """One unit per seed."""
    seeds, task, seed_questions = skill_plan(ctx, ledger)
    ledger.plan(len(seeds) * ctx.scale.questions_per_seed)
    await asyncio.gather(*(emit(seed_unit(ctx, seed, task, seed_questions)) for seed in seeds))


def seed_unit(ctx: RunContext, seed: SkillExample, task: str,
              seed_questions: list[str]) -> Unit:
    return Unit(
        variables={"task": task, "seed_question": seed.question, "seed_answer": seed.answer},
        label=f"seed {seed.index + 1}", group=(seed.index,), row_prefix=f"s{seed.index}",
        count=ctx.scale.questions_per_seed, avoid=seed_questions,
        row_fields={"seed_index": seed.index}, seed_index=seed.index,
    )


FREEFORM = Flow(
    kind=LeafKind.FREEFORM_SKILL,
    fan_out=fan_out,
    questions="freeform_questions",
    chain=(question_critic("freeform_question_critic"), answer("freeform_answer"), answer_check(),
           pair_rating("freeform_pair_rating")),
)
