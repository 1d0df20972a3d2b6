"""A top-up round through the real engine against the local test server: the kept questions
reach the teacher as "already asked", repeats of them are dropped before the critic, and a
knowledge round also asks about pairs of neighbouring chunks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generate"))
from gen_taxonomy import FREEFORM, KNOWLEDGE, make_config, make_taxonomy  # noqa: E402

from sdg_ci.generate.runner import generate  # noqa: E402


def kept_questions(out: Path, leaf: str) -> list[str]:
    folder = out / Path(leaf).parent
    lines = (folder / "pairs.jsonl").read_text().splitlines()
    return [json.loads(x)["messages"][0]["content"] for x in lines]


def test_a_round_shows_the_kept_questions_and_joins_chunks(tmp_path, openai_server):
    root = tmp_path / "taxonomy"
    leaves = make_taxonomy(root, seeds=2)
    config = make_config(openai_server.url, tmp_path / "cache")
    config.generate.scale = "full"
    first = generate(root, [FREEFORM, KNOWLEDGE], config, tmp_path / "first", progress=False)
    assert KNOWLEDGE in leaves and first.pairs_kept > 0
    asked = {FREEFORM: kept_questions(tmp_path / "first", FREEFORM),
             KNOWLEDGE: kept_questions(tmp_path / "first", KNOWLEDGE)}
    before = len(openai_server.requests)
    second = generate(root, [FREEFORM, KNOWLEDGE], config, tmp_path / "second",
                      progress=False, asked=asked)
    question_calls = [r for r in openai_server.requests[before:] if r.stage == "questions"]
    users = [r.body["messages"][-1]["content"] for r in question_calls]
    assert users and all("Already asked for this leaf" in u for u in users)
    assert any(asked[FREEFORM][0].split()[0] in u for u in users)
    # a new question that repeats an already-asked one is dropped before the critic: no
    # kept question of the round is one of the first pass's
    freeform = next(leaf for leaf in second.leaves if leaf.path == FREEFORM)
    assert freeform.questions_generated > 0
    assert not set(kept_questions(tmp_path / "second", FREEFORM)) & set(asked[FREEFORM])
    # knowledge: units for neighbouring chunk pairs joined the round
    rows = (tmp_path / "second" / Path(KNOWLEDGE).parent / "pairs.jsonl").read_text()
    rejected = (tmp_path / "second" / Path(KNOWLEDGE).parent / "rejected.jsonl").read_text()
    chunk_ids = {json.loads(x)["metadata"]["chunk_id"] for x in (rows + rejected).splitlines()}
    assert any(cid and "+" in cid for cid in chunk_ids), chunk_ids
