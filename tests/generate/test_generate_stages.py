"""Every stage of the three leaf kinds against the local OpenAI-compatible server."""

from __future__ import annotations

import json
from pathlib import Path

from gen_taxonomy import FREEFORM, GROUNDED, KNOWLEDGE, make_config, make_taxonomy

from sdg_ci.generate.runner import generate


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_three_kinds_every_stage(tmp_path, openai_server):
    root = tmp_path / "tax"
    leaves = make_taxonomy(root)
    out = tmp_path / "out"
    summary = generate(root, leaves, make_config(openai_server.url, tmp_path / "cache"), out,
                       statuses={FREEFORM: "added"}, progress=False)
    by = {leaf.path: leaf for leaf in summary.leaves}
    print(summary.model_dump_json(indent=1))
    ff = by[FREEFORM]
    assert ff.status == "added" and ff.kind == "freeform_skill" and ff.seeds == 2
    assert [s.stage for s in ff.stages] == ["questions", "dedup", "question_critic", "answers",
                                           "answer_check", "pair_rating", "pair_dedup"]
    assert ff.questions_generated == 6
    for leaf in summary.leaves:
        for stage in leaf.stages:
            assert stage.rows_in == stage.rows_out + sum(stage.dropped.values()), stage
        # the totals add up against the files: every row lost is one in rejected.jsonl
        rejected = [json.loads(x) for x in (out / leaf.rejected_file).read_text().splitlines()]
        kept = (out / leaf.data_file).read_text().splitlines()
        lost = sum(r.get("lost_rows", 1) for r in rejected)
        assert leaf.rejected_rows == lost == sum(g.count for g in leaf.rejections)
        assert leaf.pairs_kept == len(kept)
        by_stage = {s.stage: s for s in leaf.stages}
        assert leaf.questions_generated == by_stage["questions"].rows_out
        assert leaf.questions_new == by_stage["dedup"].rows_out
        assert leaf.questions_kept == by_stage["question_critic"].rows_out
        assert leaf.pairs_rated - leaf.pairs_kept == sum(by_stage["pair_dedup"].dropped.values())
        dropped_rows = sum(sum(s.dropped.values()) for s in leaf.stages
                           if s.stage not in ("chunks", "contexts"))
        assert dropped_rows == lost
        assert leaf.pairs_kept > 0
        assert sum(leaf.rating_histogram.values()) == leaf.answered
        pairs = read_jsonl(out / leaf.data_file)
        assert len(pairs) == leaf.pairs_kept
        rejected = read_jsonl(out / leaf.rejected_file)
        for pair in pairs:
            assert [m["role"] for m in pair["messages"]] == ["user", "assistant"]
            meta = pair["metadata"]
            assert meta["leaf_file"] == leaf.path and meta["models"]["teacher"] == "fake-model"
            rating = (meta["scores"].get("pair_rating") or meta["scores"]["pair_eval"])["rating"]
            assert rating >= 2
            assert meta["scores"]["question_critic"]["verdict"] == "keep"
        low = [r for r in rejected if r["reason_class"] == "critic"]
        assert len(low) + len(pairs) <= leaf.answered + leaf.questions_generated
    gr = by[GROUNDED]
    assert gr.stages[0].stage == "contexts" and gr.stages[0].rows_out == 4
    assert gr.questions_generated == 8
    pair = read_jsonl(out / gr.data_file)[0]
    assert pair["messages"][0]["content"].startswith("Notes.")  # context, then question
    kn = by[KNOWLEDGE]
    assert kn.stages[0].stage == "chunks" and kn.stages[0].rows_out >= 2
    assert kn.faithfulness_rate is not None
    meta = read_jsonl(out / kn.data_file)[0]["metadata"]
    assert meta["chunk_id"] and meta["chunk_source"] == "tides.md"
    assert set(meta["scores"]["pair_eval"]) >= {"faithful", "relevancy", "rating"}
    saved = json.loads((out / "summary.json").read_text())
    assert saved["usage"]["requests"] == summary.usage.requests > 0
