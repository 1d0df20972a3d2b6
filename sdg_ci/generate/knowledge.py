"""Knowledge: document chunks -> questions grounded in each chunk (three seed Q&A as examples)
-> critic (self-contained, answerable from the chunk) -> answer from the chunk -> critic:
faithfulness, relevancy 0-2 and the 1-3 rating; kept when faithful, relevancy 2, rating >= 2.

Documents are fetched, converted and chunked by `sdg_ci.taxonomy.documents` (imported
lazily: it is its own concern, with its own limits and errors).
"""

from __future__ import annotations

import asyncio
import threading

from sdg_ci.generate import parse
from sdg_ci.generate.chain import KindSpec, admit, pair_chain, write_questions
from sdg_ci.generate.rows import Row
from sdg_ci.generate.seeds import KnowledgeSeed, knowledge_seeds

EXAMPLES_PER_CHUNK = 3


def accept_eval(engine, row: Row, value: dict) -> tuple[bool, str]:
    row.scores["pair_eval"] = value
    problems = []
    if not value["faithful"]:
        problems.append(f"not faithful to the chunk: {value['faithfulness_reason']}")
    if value["relevancy"] < engine.settings.min_relevancy:
        problems.append(f"relevancy {value['relevancy']}: {value['relevancy_reason']}")
    if value["rating"] < engine.settings.min_pair_rating:
        problems.append(f"rated {value['rating']}: {value['rating_reason']}")
    return not problems, "; ".join(problems)


SPEC = KindSpec("knowledge_question_critic", "knowledge_answer", "knowledge_pair_eval",
                "pair_eval", parse.knowledge_eval, accept_eval)


def select_chunks(chunks: list, limit: int) -> list[tuple[int, object]]:
    """All chunks, or `limit` of them spread evenly over the documents (deterministic)."""
    indexed = list(enumerate(chunks))
    if not limit or len(indexed) <= limit:
        return indexed
    step = len(indexed) / limit
    return [indexed[int(i * step)] for i in range(limit)]


def format_examples(seed: KnowledgeSeed) -> str:
    return "\n".join(f"Q: {q}\nA: {a}" for q, a in seed.qas[:EXAMPLES_PER_CHUNK])


async def run_leaf(engine, run) -> None:
    from sdg_ci.taxonomy import documents

    seeds = knowledge_seeds(run.leaf.data)
    run.seeds = len(seeds)
    if not seeds:
        run.notes.append("no usable seed examples (questions_and_answers); nothing generated")
        return
    cancel = threading.Event()  # a cancelled task cannot stop its thread; this flag can
    try:
        chunks = await asyncio.to_thread(documents.load_chunks, run.leaf, engine.documents,
                                         engine.cache_dir / "documents", cancel=cancel)
    except asyncio.CancelledError:
        cancel.set()
        raise
    except documents.DocumentError as exc:
        run.errors += 1
        run.notes.append(f"documents could not be loaded: {exc}")
        return
    selected = select_chunks(chunks, engine.scale.max_chunks)
    run.plan(len(selected) * engine.scale.questions_per_chunk)
    run.enter("chunks", len(chunks))
    run.passed("chunks", len(selected))
    if len(selected) < len(chunks):
        run.drop("chunks", "not_selected_at_this_scale", len(chunks) - len(selected))
    domain = run.leaf.data.get("domain", "") if isinstance(run.leaf.data, dict) else ""
    seed_questions = [q for s in seeds for q, _ in s.qas]
    await asyncio.gather(*(
        one_chunk(engine, run, i, chunk, seeds[n % len(seeds)], str(domain), seed_questions)
        for n, (i, chunk) in enumerate(selected)
    ))


async def one_chunk(engine, run, i: int, chunk, seed: KnowledgeSeed, domain: str,
                    seed_questions: list[str]) -> None:
    variables = {"domain": domain or "the subject of the document", "examples":
                 format_examples(seed), "chunk": chunk.text, "source": chunk.source,
                 "heading": chunk.heading or "no heading"}
    label = f"chunk {chunk.id} ({chunk.source})"
    questions = await write_questions(
        engine, run, "knowledge_questions", variables, count=engine.scale.questions_per_chunk,
        group=(i,), label=label, chunk_id=chunk.id,
    )
    rows = [
        Row(row_id=f"k{i}-q{j}", order=(i, 0, j), question=q, seed_index=seed.index,
            chunk_id=chunk.id, chunk_source=chunk.source, chunk_heading=chunk.heading)
        for j, q in enumerate(questions)
    ]
    fresh = admit(engine, run, rows, seed_questions)
    await asyncio.gather(*(pair_chain(engine, run, row, SPEC, variables) for row in fresh))
