"""Fault injection: transient faults are retried away; lasting ones are recorded per row."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from gen_taxonomy import FREEFORM, GROUNDED, make_config, make_taxonomy
from openai_server import FakeOpenAI

from sdg_ci.config import GenerateSettings
from sdg_ci.generate.runner import generate


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


CLIENTS = pytest.mark.parametrize("client", ["fast", "openai", "aiohttp"])


def run(tmp_path, server, leaves=None, name="out", **settings):
    root = tmp_path / "tax"
    if not (root / FREEFORM).exists():
        make_taxonomy(root, knowledge=False)
    out = tmp_path / name
    config = make_config(server.url, tmp_path / f"cache-{name}", **settings)
    summary = generate(root, leaves or [FREEFORM], config, out, progress=False)
    return summary, out


@CLIENTS
def test_transient_faults_are_retried_to_the_same_result(tmp_path, client):
    with FakeOpenAI() as clean:
        reference, ref_out = run(tmp_path, clean, name="ref")
    with FakeOpenAI() as server:
        server.add_fault("429", stage="questions", retry_after=0.4)
        server.add_fault("500", stage="question_critic")
        server.add_fault("503", stage="answers")
        server.add_fault("timeout", stage="pair_rating", hang_s=2.5)
        server.add_fault("truncated", stage="question_critic", skip=1)
        server.add_fault("nonjson", stage="answers", skip=1)
        server.add_fault("empty_choices", stage="pair_rating", skip=1)
        server.add_fault("reset", stage="answers", skip=2)
        summary, out = run(tmp_path, server, client=client)
        faulted = [r for r in server.requests if r.fault]
        sent = len(server.requests)
        assert {r.fault for r in faulted} == {"429", "500", "503", "timeout", "truncated",
                                              "nonjson", "empty_choices", "reset"}
        # the 429's Retry-After was honoured before the same request went again
        first = next(r for r in server.requests if r.fault == "429")
        again = next(r for r in server.requests if r.key == first.key and not r.fault)
        assert again.started - first.started >= 0.35
    leaf = summary.leaves[0]
    assert leaf.errors == 0 and leaf.parse_failures == 0
    assert sent == reference.leaves[0].usage.requests + len(faulted)
    # a reset on a kept-alive connection is retried by the transport on a fresh one
    assert sent - 1 <= leaf.usage.requests <= sent
    assert (out / leaf.data_file).read_bytes() == (ref_out / leaf.data_file).read_bytes()


@CLIENTS
def test_lasting_faults_are_recorded_per_row_and_the_run_finishes(tmp_path, client):
    with FakeOpenAI() as server:
        server.add_fault("500", stage="answers", times=None)
        summary, out = run(tmp_path, server, request_retries=1, client=client)
    leaf = summary.leaves[0]
    answers = next(s for s in leaf.stages if s.stage == "answers")
    assert answers.rows_out == 0 and answers.dropped == {"error": answers.rows_in}
    assert leaf.errors == answers.rows_in and leaf.pairs_kept == 0
    rejected = [r for r in read_jsonl(out / leaf.rejected_file) if r["stage"] == "answers"]
    assert len(rejected) == answers.rows_in
    assert all(r["reason_class"] == "error" and "HTTP 500" in r["reason"]
               and "gave up after 2 attempts" in r["reason"] for r in rejected)
    assert any("failed after retries" in note for note in leaf.notes)
    assert any("nothing was generated" in note for note in summary.notes)


def test_parse_failures_are_counted_apart_from_critic_rejections(tmp_path):
    def responder(stage, body, choice):
        user = body["messages"][-1]["content"]
        if stage == "question_critic" and "season" not in user and ("river" in user
                                                                   or "comet" in user):
            return "I think this question is fine, probably."  # no verdict anywhere
        return None

    with FakeOpenAI(responder=responder) as server:
        summary, out = run(tmp_path, server, parse_retries=2)
        unreadable = [r for r in server.requests if r.stage == "question_critic"
                      and ("river" in r.body["messages"][-1]["content"]
                           or "comet" in r.body["messages"][-1]["content"])]
    leaf = summary.leaves[0]
    critic = next(s for s in leaf.stages if s.stage == "question_critic")
    failed = critic.dropped.get("parse_failure", 0)
    assert failed > 0 and "critic" not in critic.dropped
    assert leaf.parse_failures == failed
    assert len(unreadable) == failed * 3  # first try and two re-asks with new seeds
    rows = [r for r in read_jsonl(out / leaf.rejected_file) if r["reason_class"] == "parse_failure"]
    assert len(rows) == failed and rows[0]["raw"].startswith("I think")


@CLIENTS
def test_server_dying_midway_ends_the_run_with_what_it_has(tmp_path, client):
    with FakeOpenAI() as server:
        server.add_fault("die", stage="answers", skip=2)
        started = time.monotonic()
        summary, out = run(tmp_path, server, leaves=[FREEFORM, GROUNDED], request_retries=3,
                           give_up_after_s=1.0, client=client)
        took = time.monotonic() - started
    assert took < 30
    errors = sum(leaf.errors for leaf in summary.leaves)
    assert errors > 0
    for leaf in summary.leaves:
        for stage in leaf.stages:
            assert stage.rows_in == stage.rows_out + sum(stage.dropped.values())
        assert (out / leaf.rejected_file).exists()
    reasons = {r["reason"] for leaf in summary.leaves
               for r in read_jsonl(out / leaf.rejected_file) if r["reason_class"] == "error"}
    assert any("connection error" in r or "stopped answering" in r for r in reasons)


def test_server_without_n_is_topped_up_one_sample_at_a_time(tmp_path):
    with FakeOpenAI(honour_n=False) as server:
        summary, _ = run(tmp_path, server, questions_per_call=2)  # 3 per seed: n=2
        asked = [r.body.get("n", 1) for r in server.requests if r.stage == "questions"]
    assert sorted(asked) == [1, 1, 2, 2]
    assert summary.leaves[0].questions_generated == 6  # 2 seeds x 3


@CLIENTS
def test_server_without_json_schema_falls_back_to_text(tmp_path, client):
    with FakeOpenAI(support_schema=False) as server:
        summary, _ = run(tmp_path, server, client=client)
        refused = [r for r in server.requests if r.status == 400]
        later = server.requests[len(server.requests) // 2:]
    assert len(refused) >= 1
    assert not any("response_format" in r.body for r in later)
    assert summary.leaves[0].pairs_kept > 0 and summary.leaves[0].errors == 0


def test_too_long_seed_is_named_and_nothing_is_sent_for_it(tmp_path):
    root = tmp_path / "tax"
    make_taxonomy(root, knowledge=False)
    text = (root / FREEFORM).read_text().replace("line three ends it",
                                                 "line three ends it " + "very " * 4000, 1)
    (root / FREEFORM).write_text(text)
    with FakeOpenAI() as server:
        config = make_config(server.url, tmp_path / "cache")
        config.generate.teacher.context_window = 4096
        summary = generate(root, [FREEFORM], config, tmp_path / "out", progress=False)
        sent = [r for r in server.requests if "very very" in json.dumps(r.body)]
    leaf = summary.leaves[0]
    assert not sent
    questions = next(s for s in leaf.stages if s.stage == "questions")
    assert questions.dropped == {"too_long": 3}
    note = next(n for n in leaf.notes if n.startswith("too long"))
    assert FREEFORM in note and "seed 1" in note and "4,096-token context window" in note


@CLIENTS
def test_server_context_error_counts_as_too_long(tmp_path, client):
    with FakeOpenAI() as server:
        server.add_fault("context_length", stage="answers", times=None)
        summary, _ = run(tmp_path, server, client=client)
        refused = [r for r in server.requests if r.fault == "context_length"]
    leaf = summary.leaves[0]
    answers = next(s for s in leaf.stages if s.stage == "answers")
    assert answers.dropped == {"too_long": answers.rows_in}
    assert len(refused) == answers.rows_in  # not retried: it cannot fit next time either
    assert any("maximum context length" in n and "seed" in n for n in leaf.notes)


def test_a_leaf_that_cannot_be_read_is_reported_and_the_others_are_generated(tmp_path):
    root = tmp_path / "tax"
    make_taxonomy(root, knowledge=False)
    loop = root / "compositional_skills/loop/qna.yaml"
    loop.parent.mkdir(parents=True)
    loop.symlink_to("qna.yaml")
    with FakeOpenAI() as server:
        leaves = [FREEFORM, "compositional_skills/loop/qna.yaml"]
        summary, out = run(tmp_path, server, leaves=leaves)
    by_path = {leaf.path: leaf for leaf in summary.leaves}
    assert by_path[FREEFORM].pairs_kept > 0
    unread = by_path["compositional_skills/loop/qna.yaml"]
    assert unread.errors == 1 and unread.pairs_kept == 0
    assert unread.notes[0].startswith("cannot read the leaf: cannot follow the path to a file")
    assert (out / "summary.json").is_file()


@pytest.mark.parametrize(("client", "down_s", "settings"), [
    ("fast", 2.0, {"request_retries": 2, "give_up_after_s": 20.0}),
    ("openai", 2.0, {"request_retries": 2, "give_up_after_s": 20.0}),
    ("aiohttp", 2.0, {"request_retries": 2, "give_up_after_s": 20.0}),
    # the default retry settings: a server gone for 9 s (a restart) loses no call
    ("auto", 9.0, {name: GenerateSettings.model_fields[name].default
                   for name in ("request_retries", "give_up_after_s", "retry_backoff_s")}),
])
def test_a_server_restarted_within_give_up_after_s_loses_no_call(tmp_path, client, down_s,
                                                                   settings):
    """Killed mid-run and back on the same port `down_s` later: however few the retries a
    call, every row is still generated (outages are waited out until give_up_after_s), none
    twice."""
    with FakeOpenAI() as clean:
        reference, ref_out = run(tmp_path, clean, leaves=[FREEFORM, GROUNDED], name="ref")
    total = reference.leaves[0].usage.requests + reference.leaves[1].usage.requests
    first = FakeOpenAI(delay_s=0.02).start()
    port = first.port
    second = FakeOpenAI(delay_s=0.02, port=port)

    def restart() -> None:
        deadline = time.monotonic() + 30
        while len(first.answered()) < total // 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        first.die()
        time.sleep(down_s)
        second.start()

    thread = threading.Thread(target=restart, daemon=True)
    thread.start()
    try:
        summary, out = run(tmp_path, first, leaves=[FREEFORM, GROUNDED], client=client,
                           **settings)
    finally:
        thread.join(30)
        first.stop()
        second.stop()
    assert first.dead and second.answered()  # the run went on at the restarted server
    assert sum(leaf.errors for leaf in summary.leaves) == 0
    for leaf, ref in zip(summary.leaves, reference.leaves, strict=True):
        rows = (out / leaf.data_file).read_bytes()
        assert rows == (ref_out / ref.data_file).read_bytes()  # every row, none repeated


class _Servers:
    """Two replicas of one model; `url` is their list (what `run` passes to make_config)."""

    def __init__(self, *servers: FakeOpenAI):
        self.servers = servers
        self.url = [s.url for s in servers]


def test_replicas_share_the_work_and_a_dead_one_is_rested(tmp_path):
    with FakeOpenAI() as clean:
        reference, ref_out = run(tmp_path, clean, leaves=[FREEFORM, GROUNDED], name="ref")
    with FakeOpenAI(delay_s=0.01) as one, FakeOpenAI(delay_s=0.01) as two:
        url_one, url_two = one.url, two.url
        two.add_fault("die", stage="answers", skip=1)  # the second replica dies mid-run
        summary, out = run(tmp_path, _Servers(one, two), leaves=[FREEFORM, GROUNDED],
                           request_retries=1, give_up_after_s=20.0, client="aiohttp")
        assert two.dead
        assert one.answered() and two.answered()  # both served while both were up
    assert sum(leaf.errors for leaf in summary.leaves) == 0
    for leaf, ref in zip(summary.leaves, reference.leaves, strict=True):
        assert (out / leaf.data_file).read_bytes() == (ref_out / ref.data_file).read_bytes()
    teacher = next(m for m in summary.models if m.role == "teacher")
    counts = teacher.requests_per_replica
    assert set(counts) == {url_one, url_two}
    assert counts[url_one] > counts[url_two] > 0
    assert counts[url_one] + counts[url_two] == sum(x.usage.requests for x in summary.leaves)
    saved = json.loads(summary.model_dump_json())  # what summary.json carries
    assert saved["models"][0]["requests_per_replica"] == counts


def test_an_empty_url_list_is_a_clear_error():
    from sdg_ci.config import ModelEndpoint

    with pytest.raises(ValueError, match="at least one"):
        ModelEndpoint.model_validate({"url": []})
    assert ModelEndpoint.model_validate({"url": ["http://a/v1"]}).url == "http://a/v1"
    assert ModelEndpoint.model_validate({"url": ["http://a/v1", "http://b/v1"]}).urls == [
        "http://a/v1", "http://b/v1"]
