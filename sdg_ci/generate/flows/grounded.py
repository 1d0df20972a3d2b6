"""Grounded skill: per seed, new contexts like its context -> questions per context ->
critic -> answer grounded in the context -> 1-3 rating (unsupported by the context is 1)."""

from __future__ import annotations

import asyncio

from sdg_ci.generate.flows.context import RunContext
from sdg_ci.generate.flows.flow import Emit, Flow, Unit
from sdg_ci.generate.flows.pipeline import ask_model
from sdg_ci.generate.flows.seeds import SkillExample, skill_plan
from sdg_ci.generate.flows.steps import answer, answer_check, pair_rating, question_critic
from sdg_ci.generate.ledger.ledger import LeafLedger
from sdg_ci.generate.ledger.rows import Failure
from sdg_ci.generate.model import parse
from sdg_ci.records.stages import Stage
from sdg_ci.taxonomy.leaf import LeafKind

CONTEXTS_PROMPT = "grounded_contexts"


async def fan_out(ctx: RunContext, ledger: LeafLedger, emit: Emit) -> None:
    """Per seed, the teacher writes contexts; one unit per context, as soon as it exists."""
    seeds, task, seed_questions = skill_plan(ctx, ledger)
    ledger.questions_per_context = ctx.scale.questions_per_context
    ledger.plan(len(seeds) * ctx.scale.contexts_per_seed * ctx.scale.questions_per_context)
    await asyncio.gather(*(one_seed(ctx, ledger, emit, seed, task, seed_questions)
                           for seed in seeds))


async def one_seed(ctx: RunContext, ledger: LeafLedger, emit: Emit, seed: SkillExample,
                   task: str, seed_questions: list[str]) -> None:
    label = f"seed {seed.index + 1}"
    count = ctx.scale.contexts_per_seed
    if count <= 0:
        return
    ledger.enter(Stage.CONTEXTS, count)
    outcomes = await ask_model(
        ctx, ledger, Stage.CONTEXTS, CONTEXTS_PROMPT,
        {"task": task, "seed_context": seed.context or ""}, parse=parse.plain_text,
        group=(seed.index,), label=label, n=count,
    )
    contexts = []
    for c, out in enumerate(outcomes):
        if out.ok:
            contexts.append((c, out.value))
        else:
            ledger.fail(Failure(Stage.CONTEXTS, out.failure, out.reason, 1,
                                f"{label}, context {c + 1}", seed.index, raw=out.raw))
    ledger.passed(Stage.CONTEXTS, len(contexts))
    await asyncio.gather(*(emit(context_unit(ctx, seed, task, c, text, seed_questions))
                           for c, text in contexts))


def context_unit(ctx: RunContext, seed: SkillExample, task: str, c: int, context: str,
                 seed_questions: list[str]) -> Unit:
    return Unit(
        variables={"task": task, "seed_question": seed.question, "seed_answer": seed.answer,
                   "context": context},
        label=f"seed {seed.index + 1}, context {c + 1}", group=(seed.index, c),
        row_prefix=f"s{seed.index}-c{c}", count=ctx.scale.questions_per_context,
        avoid=seed_questions,
        row_fields={"seed_index": seed.index, "context": context, "context_index": c},
        seed_index=seed.index,
    )


GROUNDED = Flow(
    kind=LeafKind.GROUNDED_SKILL,
    fan_out=fan_out,
    questions="grounded_questions",
    chain=(question_critic("grounded_question_critic"), answer("grounded_answer"), answer_check(),
           pair_rating("grounded_pair_rating")),
)
