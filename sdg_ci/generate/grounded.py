"""Grounded skill: per seed, new contexts like its context -> questions per context ->
critic -> answer grounded in the context -> 1-3 rating (unsupported by the context is 1)."""

from __future__ import annotations

import asyncio

from sdg_ci.generate import parse
from sdg_ci.generate.ask import ask
from sdg_ci.generate.chain import RANK, SKILL_SPECS, admit, pair_chain, write_questions
from sdg_ci.generate.rows import Failure, Row
from sdg_ci.generate.seeds import SkillSeed, skill_plan


async def run_leaf(engine, run) -> None:
    seeds, task, seed_questions = skill_plan(engine, run)
    run.questions_per_context = engine.scale.questions_per_context
    run.plan(len(seeds) * engine.scale.contexts_per_seed * engine.scale.questions_per_context)
    await asyncio.gather(*(one_seed(engine, run, s, task, seed_questions) for s in seeds))


async def one_seed(engine, run, seed: SkillSeed, task: str, seed_questions: list[str]) -> None:
    label = f"seed {seed.index + 1}"
    count = engine.scale.contexts_per_seed
    if count <= 0:
        return
    run.enter("contexts", count)
    outcomes = await ask(
        engine, run, "grounded_contexts", {"task": task, "seed_context": seed.context or ""},
        parse=parse.plain_text, rank=RANK["contexts"], group=(seed.index,), label=label,
        n=count,
    )
    contexts = []
    for c, out in enumerate(outcomes):
        if out.ok:
            contexts.append((c, out.value))
        else:
            run.fail(Failure("contexts", out.failure, out.reason, 1, f"{label}, context {c + 1}",
                             seed.index, raw=out.raw))
    run.passed("contexts", len(contexts))
    await asyncio.gather(*(
        one_context(engine, run, seed, task, c, text, seed_questions) for c, text in contexts
    ))


async def one_context(engine, run, seed: SkillSeed, task: str, c: int, context: str,
                      seed_questions: list[str]) -> None:
    variables = {"task": task, "seed_question": seed.question, "seed_answer": seed.answer,
                 "context": context}
    label = f"seed {seed.index + 1}, context {c + 1}"
    questions = await write_questions(
        engine, run, "grounded_questions", variables, count=engine.scale.questions_per_context,
        group=(seed.index, c), label=label, seed_index=seed.index,
    )
    rows = [
        Row(row_id=f"s{seed.index}-c{c}-q{j}", order=(seed.index, c, j), question=q,
            seed_index=seed.index, context=context, context_index=c)
        for j, q in enumerate(questions)
    ]
    fresh = admit(engine, run, rows, seed_questions)
    spec = SKILL_SPECS["grounded"]
    await asyncio.gather(*(pair_chain(engine, run, row, spec, variables) for row in fresh))
