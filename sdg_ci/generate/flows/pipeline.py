"""The one runner every leaf kind shares: for each unit its fan-out emits, write questions,
admit them, and run each new row through the kind's chain of steps.

Why one chain per row: a question goes to the critic the moment it exists and its answer is
requested the moment the critic keeps it, so there is no stage-wide barrier and the
endpoint stays busy; the ledger's stage counts are updated as the row moves.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from sdg_ci.generate.flows.context import RunContext
from sdg_ci.generate.flows.flow import Check, Flow, Unit, UnitGroup
from sdg_ci.generate.ledger.dedup import admit
from sdg_ci.generate.ledger.ledger import LeafLedger
from sdg_ci.generate.ledger.rows import Failure, Row
from sdg_ci.generate.model import parse
from sdg_ci.generate.model.ask import Outcome, ask
from sdg_ci.records.stages import Stage

ASKED_SHOWN = 30  # kept questions a top-up prompt lists (the admit check uses all of them)


async def run_flow(ctx: RunContext, ledger: LeafLedger, flow: Flow,
                   group: UnitGroup | None = None) -> int:
    """Run one leaf of `flow`'s kind, accounting for every row in `ledger`; with `group`,
    only that group of its units (a kind without a plan runs whole, as group 0 of 1).
    Returns how many groups the leaf has.

    The leaf's own accounting (seeds, chunks, notes) is counted by group 0 only, so the
    ledgers of all groups add up to the ledger of the whole leaf."""

    async def emit(unit: Unit) -> None:
        prompt = flow.questions
        if ledger.asked:  # a top-up round: the teacher sees what was asked already
            prompt = f"{flow.questions}_topup"
            unit = replace(unit, variables={**unit.variables,
                                            "already_asked": already_asked(ledger.asked)})
        questions = await write_questions(ctx, ledger, prompt, unit)
        rows = [Row(row_id=f"{unit.row_prefix}-q{j}", order=(*unit.order, j), question=q,
                    **unit.row_fields)
                for j, q in enumerate(questions)]
        fresh = admit(ledger, rows, [*unit.avoid, *ledger.asked],
                      ctx.settings.near_duplicate_threshold)
        await asyncio.gather(*(pair_chain(ctx, ledger, flow, unit, row) for row in fresh))

    if group is None or flow.plan is None:
        if group is None or group.index == 0:
            await flow.fan_out(ctx, ledger, emit)
        return 1
    planner = ledger
    if group.index > 0:  # plan again (documents are cached), count nothing twice
        planner = LeafLedger(ledger.leaf, ledger.index, ledger.status)
        planner.asked = ledger.asked
    units = await flow.plan(ctx, planner)
    if planner.failure is not None and planner is not ledger:
        ledger.give_up(planner.failure)
    await asyncio.gather(*(emit(unit) for unit in group.pick(units)))
    return group.count(units)


def already_asked(questions: list[str]) -> str:
    """The most recent kept questions, one a line, as a top-up prompt shows them."""
    shown = questions[-ASKED_SHOWN:]
    return "\n".join(f"- {' '.join(q.split())}" for q in shown)


async def ask_model(ctx: RunContext, ledger: LeafLedger, stage: Stage, prompt: str,
                    variables: Mapping[str, object], *, parse: Callable[[str], Any],
                    group: tuple[int, ...], label: str, n: int = 1,
                    count: int | None = None) -> list[Outcome]:
    """`ask`, scheduled by the stage's rank, the leaf and the unit, counted in the ledger."""
    return await ask(ctx.models, prompt, variables, parse=parse,
                     priority=(stage.rank, ledger.index, *group),
                     where=f"{ledger.path}: {label}", usage=ledger.usage, n=n, count=count)


async def write_questions(ctx: RunContext, ledger: LeafLedger, prompt: str,
                          unit: Unit) -> list[str]:
    """`unit.count` questions, asked `questions_per_call` at a time as n samples of one
    prompt."""
    count = unit.count
    if count <= 0:
        return []
    per_call = max(1, min(count, ctx.settings.questions_per_call))
    batches = math.ceil(count / per_call)
    ledger.enter(Stage.QUESTIONS, count)
    outcomes = await ask_model(
        ctx, ledger, Stage.QUESTIONS, prompt, {**unit.variables, "count": per_call},
        parse=lambda text: parse.questions(text, per_call), group=unit.group,
        label=unit.label, n=batches, count=per_call,
    )
    got: list[str] = []
    for batch, out in enumerate(outcomes):
        asked = min(per_call, count - batch * per_call)
        if not out.ok:
            ledger.fail(Failure(Stage.QUESTIONS, out.failure, out.reason, asked, unit.label,
                                unit.seed_index, unit.chunk_id, out.raw))
            continue
        questions = out.value[:asked]
        got.extend(questions)
        if len(questions) < asked:
            ledger.fail(Failure(Stage.QUESTIONS, "fewer_than_asked",
                                f"asked for {asked} questions, the reply held {len(questions)}",
                                asked - len(questions), unit.label, unit.seed_index,
                                unit.chunk_id))
    ledger.passed(Stage.QUESTIONS, len(got))
    return got


async def pair_chain(ctx: RunContext, ledger: LeafLedger, flow: Flow, unit: Unit,
                     row: Row) -> None:
    """The row through each step of the flow's chain; kept when every step accepts it."""
    for step in flow.chain:
        if isinstance(step, Check):
            ledger.enter(step.stage)
            keep, reason = step.rule(ctx.settings, row)
            if not keep:
                ledger.reject(row, step.stage, step.reason_class, reason)
                return
            ledger.passed(step.stage)
            continue
        values = {**unit.variables, "question": row.question}
        if row.answer is not None:
            values["answer"] = row.answer
        ledger.enter(step.stage)
        (out,) = await ask_model(ctx, ledger, step.stage, step.prompt, values,
                                 parse=step.parse, group=row.order, label=row.label)
        if not out.ok:
            ledger.reject(row, step.stage, out.failure, out.reason, out.raw)
            return
        keep, reason = step.accept(ctx.settings, row, out.value)
        if not keep:
            ledger.reject(row, step.stage, "critic", reason)
            return
        ledger.passed(step.stage)
    ledger.keep(row)
