"""Dedup, leakage, and the plain "too weak" signals in the summary."""

from __future__ import annotations

import json

from gen_taxonomy import FREEFORM, make_config, make_taxonomy
from openai_server import FakeOpenAI

from sdg_ci.generate.runner import generate

SEED0_QUESTION = "Write a haiku about season number 0 and its rain."


def test_duplicates_and_seed_leakage_are_dropped_and_counted(tmp_path):
    def responder(stage, body, choice):
        user = body["messages"][-1]["content"]
        if stage == "questions" and "season number 0" in user:
            return json.dumps({"questions": [SEED0_QUESTION, "How do glaciers carve valleys?",
                                             "How do the glaciers carve valleys?"]})
        if stage == "questions":
            return json.dumps({"questions": ["How do glaciers carve valleys?",
                                             "Why do rivers meander?", "What makes fog lift?"]})
        if stage == "pair_rating":
            return json.dumps({"reason": "good", "rating": 3})
        return None

    root = tmp_path / "tax"
    make_taxonomy(root, knowledge=False)
    with FakeOpenAI(responder=responder) as server:
        summary = generate(root, [FREEFORM], make_config(server.url, tmp_path / "c"),
                           tmp_path / "out", progress=False)
    leaf = summary.leaves[0]
    stages = {s.stage: s for s in leaf.stages}
    assert stages["dedup"].dropped == {"seed_leakage": 1, "duplicate": 1}
    assert stages["pair_dedup"].dropped == {"duplicate": 1}  # across seeds, after rating
    assert leaf.duplicates == 3 and leaf.seed_leakage == 1
    assert leaf.pairs_kept == 3
    kept = [json.loads(line)["messages"][0]["content"]
            for line in (tmp_path / "out" / leaf.data_file).read_text().splitlines()]
    assert kept.count("How do glaciers carve valleys?") == 1 and SEED0_QUESTION not in kept
    rejected = [json.loads(line) for line in
                (tmp_path / "out" / leaf.rejected_file).read_text().splitlines()]
    assert {r["reason_class"] for r in rejected} == {"seed_leakage", "duplicate"}


def test_a_teacher_whose_output_cannot_be_read_is_called_too_weak(tmp_path):
    def responder(stage, body, choice):
        return "I am a helpful assistant." if stage == "questions" else None

    root = tmp_path / "tax"
    make_taxonomy(root, knowledge=False)
    with FakeOpenAI(responder=responder) as server:
        summary = generate(root, [FREEFORM], make_config(server.url, tmp_path / "c"),
                           tmp_path / "out", progress=False)
    leaf = summary.leaves[0]
    assert leaf.teacher_too_weak and leaf.pairs_kept == 0
    assert leaf.parse_failures == 6  # two seeds x three questions, each call re-asked twice
    note = next(n for n in leaf.notes if n.startswith("teacher too weak"))
    assert "6 of 6 teacher outputs could not be read" in note
    assert leaf.rejections[0].reason.startswith("parse_failure: ")
    assert leaf.rejections[0].text == "I am a helpful assistant."


def test_a_critic_that_rates_everything_alike_is_flagged(tmp_path):
    def responder(stage, body, choice):
        if stage == "pair_rating":
            return json.dumps({"reason": "fine", "rating": 3})
        return None

    root = tmp_path / "tax"
    make_taxonomy(root, seeds=4, knowledge=False)
    with FakeOpenAI(responder=responder) as server:
        summary = generate(root, [FREEFORM], make_config(server.url, tmp_path / "c"),
                           tmp_path / "out", progress=False)
    leaf = summary.leaves[0]
    assert leaf.critic_too_weak and not leaf.teacher_too_weak
    assert any("same rating (3)" in n for n in leaf.notes)
