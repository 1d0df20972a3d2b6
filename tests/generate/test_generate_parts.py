"""A leaf generated as groups of its units (separate processes in a Ray build) and merged
gives exactly the rows, counts and files of the leaf generated whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gen_taxonomy import FREEFORM, KNOWLEDGE, LONG_DOC, make_config, make_taxonomy

from sdg_ci.generate.finish import finish_parts
from sdg_ci.generate.ledger.part import PartsError, merge_parts
from sdg_ci.generate.runner import generate, generate_parts
from sdg_ci.records.stages import Stage
from sdg_ci.taxonomy.leaf import load_leaf

CHUNKS = 7  # of the long document's 17 chunks, at preview scale


def config_for(url: str, cache: Path):
    return make_config(url, cache, max_chunks={"preview": CHUNKS, "full": 0})


def in_parts(root: Path, leaves: list[str], config, out: Path, per_task: int,
             asked=None):
    """What a Ray build does: group 0 of each leaf, then the groups it reports, each in
    a process of its own (here: its own event loop and model client), then one finish."""
    runs = [generate_parts(root, [(rel, 0)], config, chunks_per_task=per_task, asked=asked)
            for rel in leaves]
    for first in list(runs):
        part = first.parts[0]
        runs += [generate_parts(root, [(part.path, g)], config, chunks_per_task=per_task,
                                asked=asked) for g in range(1, part.groups)]
    summary = finish_parts(root, out, config, runs, {}, [], 0.0)
    return summary, runs


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.jsonl"))}


def stage_counts(summary) -> dict:
    return {leaf.path: sorted((s.stage, s.rows_in, s.rows_out, sorted(s.dropped.items()))
                              for s in leaf.stages) for leaf in summary.leaves}


def comparable(summary) -> list[dict]:
    """A summary's leaves without what depends on time or cache state."""
    leaves = []
    for leaf in summary.leaves:
        data = leaf.model_dump(exclude={"wall_s", "usage"})
        data["stages"] = sorted(json.dumps(s, sort_keys=True) for s in data["stages"])
        leaves.append(data)
    return leaves


@pytest.fixture
def taxonomy(tmp_path):
    root = tmp_path / "tax"
    leaves = make_taxonomy(root, seeds=3, doc=LONG_DOC)
    return root, leaves


def test_a_knowledge_leaf_in_groups_equals_the_leaf_whole(tmp_path, taxonomy, openai_server):
    root, leaves = taxonomy
    whole = generate(root, leaves, config_for(openai_server.url, tmp_path / "c1"),
                     tmp_path / "whole", progress=False)
    calls = len(openai_server.requests)

    parts, runs = in_parts(root, leaves, config_for(openai_server.url, tmp_path / "c2"),
                           tmp_path / "parts", per_task=2)

    knowledge = [r.parts[0] for r in runs if r.parts[0].path == KNOWLEDGE]
    assert [p.group for p in knowledge] == [0, 1, 2, 3] and {p.groups for p in knowledge} == {4}
    assert all(p.rows for p in knowledge)  # every group generated rows of its own
    assert [p.seeds for p in knowledge] == [3, 0, 0, 0]  # the leaf's counts: group 0 only
    chunks = [p.stages.get(Stage.CHUNKS) for p in knowledge]
    assert chunks[0].rows_in == 17 and chunks[0].rows_out == CHUNKS and chunks[1:] == [None] * 3
    assert {r.parts[0].groups for r in runs if r.parts[0].path != KNOWLEDGE} == {1}
    # the same requests (seeds come from each row's content, not from who ran it)
    assert len(openai_server.requests) == 2 * calls
    assert parts.usage.requests == whole.usage.requests == calls

    assert files(tmp_path / "parts") == files(tmp_path / "whole")
    pairs = (tmp_path / "whole" / "knowledge/science/tides/pairs.jsonl").read_text()
    rejected = (tmp_path / "whole" / "knowledge/science/tides/rejected.jsonl").read_text()
    assert pairs.count("\n") >= 8 and rejected.count("\n") >= 1
    assert stage_counts(parts) == stage_counts(whole)
    assert comparable(parts) == comparable(whole)
    assert parts.notes == whole.notes and parts.models == whole.models


def test_a_top_up_round_in_groups_equals_the_round_whole(tmp_path, taxonomy, openai_server):
    """A top-up round also asks about pairs of neighbouring chunks: those units are split
    into groups with the rest."""
    root, leaves = taxonomy
    asked = {KNOWLEDGE: ["What causes tides, part 9?", "How high is the Bay of Fundy tide?"],
             FREEFORM: ["Write a haiku about the sea."]}
    config = config_for(openai_server.url, tmp_path / "c1")
    whole = generate(root, leaves, config, tmp_path / "whole", progress=False, asked=asked)
    parts, runs = in_parts(root, leaves, config_for(openai_server.url, tmp_path / "c2"),
                           tmp_path / "parts", per_task=3, asked=asked)

    knowledge = [r.parts[0] for r in runs if r.parts[0].path == KNOWLEDGE]
    assert {p.groups for p in knowledge} == {5}  # 7 chunks + 6 joined pairs, 3 a group
    # the last group holds the last pair of neighbouring chunks only (unit 17 + 5)
    assert knowledge[4].rows and {r.order[0] for r in knowledge[4].rows} == {17 + 5}
    assert all("+" in r.chunk_id for r in knowledge[4].rows)
    assert files(tmp_path / "parts") == files(tmp_path / "whole")
    assert comparable(parts) == comparable(whole)


def test_a_missing_group_is_no_leaf(tmp_path, taxonomy, openai_server):
    root, leaves = taxonomy
    config = config_for(openai_server.url, tmp_path / "cache")
    first = generate_parts(root, [(KNOWLEDGE, 0)], config, chunks_per_task=2)
    third = generate_parts(root, [(KNOWLEDGE, 2)], config, chunks_per_task=2)
    leaf = load_leaf(root, KNOWLEDGE)
    with pytest.raises(PartsError, match="do not make the whole leaf"):
        merge_parts(leaf, 0, "added", [first.parts[0], third.parts[0]])

    summary = finish_parts(root, tmp_path / "out", config, [first, third], {}, [], 0.0)
    (only,) = summary.leaves
    assert only.errors == 1 and only.pairs_kept == 0 and "retries this leaf" in only.failure
    assert not (tmp_path / "out" / "knowledge").exists()
