"""Freeform skill: per seed, new questions in its style -> critic -> answer -> 1-3 rating."""

from __future__ import annotations

import asyncio

from sdg_ci.generate.chain import SKILL_SPECS, admit, pair_chain, write_questions
from sdg_ci.generate.rows import Row
from sdg_ci.generate.seeds import SkillSeed, skill_plan


async def run_leaf(engine, run) -> None:
    seeds, task, seed_questions = skill_plan(engine, run)
    run.plan(len(seeds) * engine.scale.questions_per_seed)
    await asyncio.gather(*(one_seed(engine, run, s, task, seed_questions) for s in seeds))


async def one_seed(engine, run, seed: SkillSeed, task: str, seed_questions: list[str]) -> None:
    variables = {"task": task, "seed_question": seed.question, "seed_answer": seed.answer}
    label = f"seed {seed.index + 1}"
    questions = await write_questions(
        engine, run, "freeform_questions", variables, count=engine.scale.questions_per_seed,
        group=(seed.index,), label=label, seed_index=seed.index,
    )
    rows = [
        Row(row_id=f"s{seed.index}-q{j}", order=(seed.index, 0, j), question=q,
            seed_index=seed.index)
        for j, q in enumerate(questions)
    ]
    fresh = admit(engine, run, rows, seed_questions)
    spec = SKILL_SPECS["freeform"]
    await asyncio.gather(*(pair_chain(engine, run, row, spec, variables) for row in fresh))
