"""Honest quality signals: reasons in our words, the weak-critic signal, degenerate answers.

Run against the local OpenAI-compatible test server, set up as the critic each case needs.
"""

from __future__ import annotations

import json

import pytest
from gen_taxonomy import FREEFORM, KNOWLEDGE, make_config, make_taxonomy
from openai_server import FakeOpenAI

from sdg_ci.generate.flows.degeneracy import degeneracy
from sdg_ci.generate.runner import generate
from sdg_ci.records.check import CheckSummary
from sdg_ci.report.render import render_run

ACCEPTANCE_WORDS = ("keep", "true", "faithful", "approved")


def rows_of(out, leaf, name):
    path = out / (leaf.data_file if name == "pairs" else leaf.rejected_file)
    return [json.loads(line) for line in path.read_text().splitlines()]


def run(tmp_path, responder, **taxonomy):
    root = tmp_path / "tax"
    make_taxonomy(root, **taxonomy)
    with FakeOpenAI(responder=responder) as server:
        return generate(root, [FREEFORM], make_config(server.url, tmp_path / "c"),
                        tmp_path / "out", progress=False)


def test_a_critic_that_approves_everything_is_called_weak_in_json_and_markdown(tmp_path):
    def approve_all(stage, body, choice):
        if stage == "question_critic":  # keeps everything, copying the prompt's format line
            return json.dumps({"verdict": "keep", "reason": "one sentence"})
        return None

    summary = run(tmp_path, approve_all, seeds=3, knowledge=False)
    leaf = summary.leaves[0]
    assert leaf.critic_too_weak
    assert any("said “keep” to" in s for s in leaf.weak_critic), leaf.weak_critic
    assert any("copy the prompt's placeholder" in s for s in leaf.weak_critic)
    assert summary.weak_critic_leaves == [FREEFORM]
    saved = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert saved["weak_critic_leaves"] == [FREEFORM]
    assert saved["leaves"][0]["weak_critic"] == leaf.weak_critic
    text = render_run(summary).replace("\\", "")  # as read, without markdown escapes
    assert "weak critic: the question critic said “keep” to" in text
    assert "generate.critic at a stronger model" in text


def test_a_critic_that_judges_keeps_its_peace(tmp_path):
    def judging(stage, body, choice):
        user = body["messages"][-1]["content"]
        if stage == "question_critic":
            drop = sum(map(ord, user)) % 3 == 0
            return json.dumps({"verdict": "drop" if drop else "keep",
                               "reason": f"judged on its own merits ({len(user)} chars)"})
        return None

    summary = run(tmp_path, judging, seeds=3, knowledge=False)
    leaf = summary.leaves[0]
    assert leaf.weak_critic == [] and not summary.weak_critic_leaves
    assert not any("weak critic" in n for n in leaf.notes + summary.notes)


def test_no_rejection_reason_reads_as_an_acceptance(tmp_path):
    def lying(stage, body, choice):
        user = body["messages"][-1]["content"]
        h = sum(map(ord, user))
        if stage == "question_critic":  # drops while its reason says keep
            return json.dumps({"verdict": "drop" if h % 2 else "keep", "reason": "keep"})
        if stage == "pair_rating":
            return json.dumps({"reason": "3", "rating": 1 if h % 2 else 3})
        if stage == "pair_eval":
            return json.dumps({"faithfulness_reason": "true", "faithful": h % 3 != 0,
                               "relevancy_reason": "2", "relevancy": h % 2 + 1,
                               "rating_reason": "3", "rating": 1 + h % 3})
        return None

    root = tmp_path / "tax"
    make_taxonomy(root)
    with FakeOpenAI(responder=lying) as server:
        summary = generate(root, [FREEFORM, KNOWLEDGE], make_config(server.url, tmp_path / "c"),
                           tmp_path / "out", progress=False)
    seen = set()
    for leaf in summary.leaves:
        for row in rows_of(tmp_path / "out", leaf, "rejected"):
            if row["reason_class"] != "critic":
                continue
            head = row["reason"].split(" — ", 1)[0]
            seen.add(head.split(" ")[0])
            assert not any(head.startswith(w) for w in ACCEPTANCE_WORDS), row["reason"]
            assert head.startswith(("drop", "rated", "relevancy", "not faithful")), row["reason"]
            if head.startswith("rated"):
                assert " < 2" in head
        for group in leaf.rejections:
            assert not group.reason.startswith(("critic: keep", "critic: true", "critic: 3")), \
                group.reason
    assert {"drop", "rated", "relevancy"} <= seen
    text = render_run(summary).replace("\\", "")
    assert "critic: drop — the critic said “keep”" in text
    assert "critic: keep" not in text.replace("said “keep”", "")


@pytest.mark.parametrize(("answer", "problem"), [
    ("The answer to this question is: " * 28, "repetitive"),
    ("Run `make clean`.\n" * 6, "repeats"),
    ("", "empty answer"),
    ("   \n ", "empty answer"),
    ("The answer to this question is:", "a lead-in with nothing after it"),
    ("[Insert your answer here]", "template text"),
    ("Why do rivers meander across flat plains?", "restates the question"),
])
def test_degenerate_answers_are_named(answer, problem):
    found = degeneracy("Why do rivers meander across flat plains?", answer)
    assert found is not None and found.startswith(problem), found


@pytest.mark.parametrize("answer", [
    "Rivers meander because faster water on the outside of a bend erodes the bank while "
    "slower water on the inside deposits sediment.",
    "Roses are red,\nviolets are blue,\nthe refrain comes back,\nand so do you.\n"
    "Roses are red,\nviolets are blue.",
    "Yes.",
])
def test_ordinary_answers_pass(answer):
    assert degeneracy("Why do rivers meander across flat plains?", answer) is None


def test_degenerate_answers_are_dropped_before_the_rating_as_their_own_reason(tmp_path):
    def looping(stage, body, choice):
        user = body["messages"][-1]["content"]
        if stage == "answers" and sum(map(ord, user)) % 2:
            return "The answer to this question is: " * 28
        return None

    summary = run(tmp_path, looping, seeds=3, knowledge=False)
    leaf = summary.leaves[0]
    stages = {s.stage: s for s in leaf.stages}
    assert leaf.degenerate > 0
    assert stages["answer_check"].dropped == {"degenerate": leaf.degenerate}
    assert stages["pair_rating"].rows_in == stages["answer_check"].rows_out
    rejected = [r for r in rows_of(tmp_path / "out", leaf, "rejected")
                if r["reason_class"] == "degenerate"]
    assert len(rejected) == leaf.degenerate
    assert all("pair_rating" not in r["metadata"]["scores"] for r in rejected)
    assert all(r["reason"].startswith("repetitive") for r in rejected)
    pairs = rows_of(tmp_path / "out", leaf, "pairs")
    assert not any("The answer to this question is: The" in p["messages"][1]["content"]
                   for p in pairs)
    assert CheckSummary  # the markdown counts them in their own column
    assert "| Degenerate |" in render_run(summary)


def test_a_dead_endpoint_is_named_with_what_to_check_and_fails_the_leaf(tmp_path):
    with FakeOpenAI() as server:  # a port that answered once and now refuses connections
        url = server.url
    root = tmp_path / "tax"
    make_taxonomy(root, knowledge=False)
    summary = generate(root, [FREEFORM], make_config(url, tmp_path / "c", request_retries=1),
                       tmp_path / "out", progress=False)
    leaf = summary.leaves[0]
    assert leaf.pairs_kept == 0 and leaf.failure is not None
    assert leaf.failure.startswith("no pair kept:") and "model calls failed" in leaf.failure
    assert summary.failed_leaves == [leaf]
    note = next(n for n in summary.notes if "teacher endpoint" in n)
    assert url.rstrip("/") in note
    assert "Check that the server is running" in note and "--teacher-url" in note


def test_one_failure_is_one_group_whatever_its_wording():
    from sdg_ci.generate.ledger.summary import split_reason

    a = split_reason("error", "timeout (gave up after 3 attempts)")
    b = split_reason("error", "timeout (gave up after 1 attempt)")
    assert a == b == ("error: timeout", None)
    assert split_reason("critic", "rated 1 < 2 — “off topic”") == ("critic: rated 1 < 2",
                                                                   "“off topic”")
    assert split_reason("critic", "drop — “nope”")[0] == split_reason("critic", "drop — “x”")[0]


def test_a_check_with_a_leaf_that_could_not_be_generated_fails():
    from sdg_ci.records.check import CheckSummary, check_problems
    from sdg_ci.records.run import LeafSummary, RunSummary

    run = RunSummary(leaves=[
        LeafSummary(path="a/qna.yaml", kind="freeform_skill", pairs_kept=3),
        LeafSummary(path="b/qna.yaml", kind="knowledge", failure="documents could not be "
                    "loaded: no such commit")])
    assert [leaf.path for leaf in run.failed_leaves] == ["b/qna.yaml"]
    assert check_problems(CheckSummary(generation=run)) == [
        "1 leaf could not be read or generated"]
