"""Knowledge: document chunks -> questions grounded in each chunk (three seed Q&A as examples)
-> critic (self-contained, answerable from the chunk) -> answer from the chunk -> critic:
faithfulness, relevancy 0-2 and the 1-3 rating; kept when faithful, relevancy 2, rating >= 2.

Documents are fetched, converted and chunked by `sdg_ci.taxonomy.documents` (imported
lazily: it is its own concern, with its own limits and errors).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import TypeVar

from sdg_ci.generate.flows.context import RunContext
from sdg_ci.generate.flows.flow import Emit, Flow, Step, Unit
from sdg_ci.generate.flows.seeds import KnowledgeExample, knowledge_examples
from sdg_ci.generate.flows.steps import accept_eval, answer, answer_check, question_critic
from sdg_ci.generate.ledger.ledger import LeafLedger
from sdg_ci.generate.model import parse
from sdg_ci.records.stages import Stage
from sdg_ci.taxonomy.chunking import Chunk
from sdg_ci.taxonomy.leaf import LeafKind

EXAMPLES_PER_CHUNK = 3
T = TypeVar("T")


def select_chunks(chunks: Sequence[T], limit: int) -> list[tuple[int, T]]:
    """All chunks, or `limit` of them spread evenly over the documents (deterministic)."""
    indexed = list(enumerate(chunks))
    if not limit or len(indexed) <= limit:
        return indexed
    step = len(indexed) / limit
    return [indexed[int(i * step)] for i in range(limit)]


def format_examples(seed: KnowledgeExample) -> str:
    return "\n".join(f"Q: {q}\nA: {a}" for q, a in seed.qas[:EXAMPLES_PER_CHUNK])


async def fan_out(ctx: RunContext, ledger: LeafLedger, emit: Emit) -> None:
    """Every unit of the plan, at once."""
    units = await plan(ctx, ledger)
    await asyncio.gather(*(emit(unit) for unit in units))


async def plan(ctx: RunContext, ledger: LeafLedger) -> list[Unit]:
    """One unit per selected chunk (the seed examples take turns as its examples), and in a
    top-up round one per pair of neighbouring chunks; the leaf's seeds and chunks counted."""
    from sdg_ci.taxonomy import documents

    seeds = knowledge_examples(ledger.leaf.data)
    ledger.seeds = len(seeds)
    if not seeds:
        ledger.notes.append("no usable seed examples (questions_and_answers); nothing generated")
        return []
    cancel = threading.Event()  # a cancelled task cannot stop its thread; this flag can
    try:
        chunks = await asyncio.to_thread(documents.load_chunks, ledger.leaf, ctx.documents,
                                         ctx.cache_dir / "documents", cancel=cancel)
    except asyncio.CancelledError:
        cancel.set()
        raise
    except documents.DocumentError as exc:
        ledger.give_up(f"documents could not be loaded: {exc}")
        return []
    selected = select_chunks(chunks, ctx.scale.max_chunks)
    ledger.plan(len(selected) * ctx.scale.questions_per_chunk)
    ledger.enter(Stage.CHUNKS, len(chunks))
    ledger.passed(Stage.CHUNKS, len(selected))
    if len(selected) < len(chunks):
        ledger.drop(Stage.CHUNKS, "not_selected_at_this_scale", len(chunks) - len(selected))
    data = ledger.leaf.data
    domain = str(data.get("domain", "") if isinstance(data, dict) else "")
    seed_questions = [q for s in seeds for q, _ in s.qas]
    units = [chunk_unit(ctx, i, chunk, seeds[n % len(seeds)], domain, seed_questions)
             for n, (i, chunk) in enumerate(selected)]
    if ledger.asked:  # a top-up round: also questions that need two neighbouring chunks
        pairs = list(zip(selected, selected[1:], strict=False))
        ledger.plan(len(pairs) * ctx.scale.questions_per_chunk)
        units += [joined_unit(ctx, len(chunks) + n, a, b, seeds[n % len(seeds)], domain,
                              seed_questions) for n, ((_, a), (_, b)) in enumerate(pairs)]
    return units


def chunk_unit(ctx: RunContext, i: int, chunk: Chunk, seed: KnowledgeExample,
               domain: str, seed_questions: list[str]) -> Unit:
    return Unit(
        variables={"domain": domain or "the subject of the document",
                   "examples": format_examples(seed), "chunk": chunk.text,
                   "source": chunk.source, "heading": chunk.heading or "no heading"},
        label=f"chunk {chunk.id} ({chunk.source})", group=(i,), row_prefix=f"k{i}",
        count=ctx.scale.questions_per_chunk, avoid=seed_questions,
        row_fields={"seed_index": seed.index, "chunk_id": chunk.id,
                    "chunk_source": chunk.source, "chunk_heading": chunk.heading},
        chunk_id=chunk.id,
    )


def joined_unit(ctx: RunContext, group: int, a: Chunk, b: Chunk, seed: KnowledgeExample,
                domain: str, seed_questions: list[str]) -> Unit:
    """Two neighbouring chunks as one excerpt: questions whose answer joins them (a top-up
    round's way to new questions once each chunk has been asked about)."""
    unit = chunk_unit(ctx, group, a, seed, domain, seed_questions)
    joined_id = f"{a.id}+{b.id}"
    source = a.source if a.source == b.source else f"{a.source}, {b.source}"
    return Unit(
        variables={**unit.variables, "chunk": f"{a.text}\n\n{b.text}", "source": source,
                   "heading": f"{a.heading or 'no heading'} / {b.heading or 'no heading'}"},
        label=f"chunks {joined_id} ({source})", group=(group,), row_prefix=f"k{group}",
        count=unit.count, avoid=unit.avoid,
        row_fields={**unit.row_fields, "chunk_id": joined_id, "chunk_source": source},
        chunk_id=joined_id,
    )


KNOWLEDGE = Flow(
    kind=LeafKind.KNOWLEDGE,
    fan_out=fan_out,
    plan=plan,
    questions="knowledge_questions",
    chain=(question_critic("knowledge_question_critic"), answer("knowledge_answer"),
           answer_check(),
           Step(Stage.PAIR_EVAL, "knowledge_pair_eval", parse.knowledge_eval, accept_eval)),
)
