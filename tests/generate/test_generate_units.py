"""The engine's small parts, each on its own: limiter, retry policy, parsing, budget, dedup,
prompts, the lean HTTP transport and the progress display."""

from __future__ import annotations

import asyncio
import email.utils
import io
import time

import pytest

from sdg_ci.generate.ledger.dedup import DedupIndex
from sdg_ci.generate.ledger.progress import Progress
from sdg_ci.generate.model import parse
from sdg_ci.generate.model.budget import TooLong, fit_reply
from sdg_ci.generate.model.prompts import load_prompt
from sdg_ci.generate.model.retry import classify, parse_retry_after
from sdg_ci.generate.model.senders import HTTPStatusError
from sdg_ci.generate.model.transport import Broken, ConnectFailed, HTTP1Pool, TimedOut

PROMPTS = ["freeform_questions", "freeform_question_critic", "freeform_answer",
           "freeform_pair_rating", "grounded_contexts", "grounded_questions",
           "grounded_question_critic", "grounded_answer", "grounded_pair_rating",
           "knowledge_questions", "knowledge_question_critic", "knowledge_answer",
           "knowledge_pair_eval"]


# -- retry policy --------------------------------------------------------------------------

def test_retry_after_forms():
    assert parse_retry_after({"retry-after": "2"}) == 2.0
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= parse_retry_after({"retry-after": date}) <= 31
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({"retry-after": "99999"}) == 300.0


def test_classify_status_codes_and_transport_errors():
    fault = classify(HTTPStatusError(429, {"retry-after": "3"}, b'{"error": {"message": "x"}}'))
    assert fault.retryable and fault.overload and fault.retry_after == 3.0
    too_long = classify(HTTPStatusError(400, {}, b"maximum context length is 4096 tokens"))
    assert too_long.too_long and not too_long.retryable
    assert classify(HTTPStatusError(400, {}, b"response_format json_schema unsupported"
                                    )).unsupported_schema
    assert not classify(HTTPStatusError(401, {}, b"bad key")).retryable
    assert classify(HTTPStatusError(500, {}, b"")).retryable
    assert classify(TimedOut("slow")).overload
    assert classify(ConnectFailed("refused")).retryable


# -- parsing -------------------------------------------------------------------------------

def test_questions_from_json_fences_prose_and_numbered_lines():
    assert parse.questions('{"questions": ["What is A?", "Why is B?"]}', 5) == [
        "What is A?", "Why is B?"]
    assert parse.questions('```json\n{"questions": ["What is A?"]}\n```', 5) == ["What is A?"]
    assert parse.questions('Sure! {"questions": ["1. What is A?"]} hope it helps', 5) == [
        "What is A?"]
    assert parse.questions("1. What is A here?\n2) Why is B so?\n", 1) == ["What is A here?"]
    with pytest.raises(parse.ParseError):
        parse.questions('{"questions": []}', 3)


def test_verdicts_ratings_and_evaluations():
    assert parse.verdict('{"reason": "fine", "verdict": "keep"}') == (True, "fine")
    assert parse.verdict("Reason: vague\nVerdict: DROP") == (False, "vague")
    assert parse.rating('{"reason": "ok", "rating": "2"}') == (2, "ok")
    assert parse.rating("Rating: 3")[0] == 3
    for bad in ('{"rating": 5}', "great answer", '{"verdict": "maybe"}'):
        with pytest.raises(parse.ParseError):
            parse.rating(bad) if "rating" in bad or "great" in bad else parse.verdict(bad)
    value = parse.knowledge_eval('{"faithful": "yes", "relevancy": 2, "rating": 3}')
    assert value["faithful"] is True and value["relevancy"] == 2
    with pytest.raises(parse.ParseError):
        parse.knowledge_eval('{"faithful": "perhaps", "relevancy": 2, "rating": 3}')
    with pytest.raises(parse.ParseError):
        parse.plain_text("  ")


# -- budget, dedup, prompts ----------------------------------------------------------------

def test_reply_budget_is_cut_to_the_window_or_refused():
    messages = [{"role": "user", "content": "word " * 1000}]  # ~1000 tokens
    assert fit_reply(messages, 500, 4096) == 500
    assert 500 <= fit_reply(messages, 1000, 1600) < 1000
    with pytest.raises(TooLong, match="1,100-token context window"):
        fit_reply(messages, 600, 1100)
    assert fit_reply(messages, 600, None) == 600


def test_dedup_exact_near_and_leakage():
    index = DedupIndex(0.8, ["What is the plural of mouse?"])
    assert index.check("what is the plural of MOUSE") == ("seed_leakage",
                                                          "repeats seed example 1")
    assert index.check("How do glaciers carve valleys over time?") is None
    assert index.check("How do glaciers carve valleys over time!")[0] == "duplicate"
    assert index.check("How do the glaciers carve valleys over time?")[0] == "duplicate"
    assert index.check("Why do rivers meander across flat plains?") is None


@pytest.mark.parametrize("name", PROMPTS)
def test_every_prompt_loads_and_renders(name):
    prompt = load_prompt(name)
    variables = {k: f"<{k}>" for k in ("task", "seed_question", "seed_answer", "seed_context",
                                       "question", "answer", "context", "count", "domain",
                                       "examples", "chunk", "source", "heading")}
    system, user = prompt.render(variables)
    assert prompt.role in ("teacher", "critic") and system["content"] and user["content"]
    assert "$" not in user["content"].replace("$$", "")
    if prompt.format == "json":
        assert prompt.schema["type"] == "object"
    if name.endswith("questions"):
        items = prompt.schema_for(4)["properties"]["questions"]
        assert items["maxItems"] == 4 and "maxItems" not in prompt.schema["properties"][
            "questions"]


# -- transport -----------------------------------------------------------------------------

async def _serve(replies: list[bytes]):
    """A server answering each request with the next canned reply, then closing."""
    count = {"connections": 0}

    async def handle(reader, writer):
        count["connections"] += 1
        while replies:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length")))
            await reader.readexactly(length)
            reply = replies.pop(0)
            writer.write(reply)
            await writer.drain()
            if reply.startswith(b"HTTP/1.0") or b"close" in reply:
                break
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], count


def test_transport_reads_chunked_bodies_and_reuses_connections():
    async def main():
        chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"5\r\nhello\r\n6;x=1\r\n world\r\n0\r\n\r\n")
        plain = b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
        server, port, count = await _serve([chunked, plain])
        pool = HTTP1Pool("127.0.0.1", port)
        first = await pool.post("/v1/x", {}, b"{}", 5)
        second = await pool.post("/v1/x", {}, b"{}", 5)
        pool.close()
        server.close()
        return first, second, count["connections"]

    first, second, connections = asyncio.run(main())
    assert first[0] == 200 and first[2] == b"hello world"
    assert second[:1] == (201,) and second[2] == b"ok" and connections == 1


def test_transport_retries_a_stale_connection_and_reports_broken_replies():
    async def main():
        close_after = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\na"
        server, port, count = await _serve([close_after])
        pool = HTTP1Pool("127.0.0.1", port)
        await pool.post("/", {}, b"", 5)
        await asyncio.sleep(0.05)  # the server has closed the kept-alive connection
        server.close()
        server2, port2, _ = await _serve([b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort"])
        pool2 = HTTP1Pool("127.0.0.1", port2)
        with pytest.raises(Broken):
            await pool2.post("/", {}, b"", 5)
        server2.close()
        return count["connections"]

    asyncio.run(main())


def test_transport_timeouts_and_refused_connections():
    async def main():
        async def silent(reader, writer):
            await asyncio.sleep(5)

        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        with pytest.raises(TimedOut):
            await HTTP1Pool("127.0.0.1", port).post("/", {}, b"", 0.2)
        server.close()
        with pytest.raises(ConnectFailed):
            await HTTP1Pool("127.0.0.1", 9).post("/", {}, b"", 1)

    asyncio.run(main())


# -- progress ------------------------------------------------------------------------------

def test_progress_logs_plain_lines_when_not_a_terminal():
    async def main(stream, tty):
        progress = Progress(stream=stream, interval_s=0.05, tty=tty)
        progress.plan(10)
        progress.rows("questions", rows_in=10, rows_out=8)
        progress.finished(5)
        task = asyncio.create_task(progress.run([]))
        await asyncio.sleep(0.18)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    log = io.StringIO()
    asyncio.run(main(log, False))
    lines = log.getvalue().splitlines()
    assert len(lines) >= 3 and "\r" not in log.getvalue()
    assert "q 10→8" in lines[0] and "ETA" in lines[0]
    screen = io.StringIO()
    asyncio.run(main(screen, True))
    assert screen.getvalue().startswith("\r\x1b[K") and screen.getvalue().endswith("\n")


def test_dedup_keeps_template_questions_with_different_content_words():
    index = DedupIndex(0.8)
    for noun in ("mouse", "goose", "cactus", "criterion"):
        assert index.check(f"What is the plural of {noun}?") is None
    assert index.check("How can I boil an egg?") is None
    assert index.check("How do I boil the egg?")[0] == "duplicate"


def test_copied_template_placeholders_are_not_questions():
    with pytest.raises(parse.ParseError):
        parse.questions('{"questions": ["<question 1>", "<question 2>", "..."]}', 3)
    assert parse.questions('{"questions": ["<q>", "What is a blob object?"]}', 3) == [
        "What is a blob object?"]


def test_a_dead_embedded_server_fails_rows_at_once_with_its_reason(tmp_path):
    from sdg_ci.generate.model.cache import ResponseCache
    from sdg_ci.generate.model.endpoint import CallError, Endpoint, Policy

    async def start():
        return "http://127.0.0.1:9/v1"  # nothing listens: connection refused

    async def main():
        endpoint = Endpoint(kind="embedded", model="m", base_url=None, api_key=None,
                            cache=ResponseCache(tmp_path / "c.sqlite"),
                            policy=Policy(retries=5, backoff_s=5.0), max_concurrency=2,
                            context_window=4096, starter=start,
                            exit_reason=lambda: "the embedded model server exited (-9)")
        started = time.monotonic()
        with pytest.raises(CallError, match="exited"):
            await endpoint.chat([{"role": "user", "content": "hi"}], max_tokens=8,
                                temperature=0, seed=1)
        with pytest.raises(CallError, match="exited"):  # later rows: no waiting at all
            await endpoint.chat([{"role": "user", "content": "yo"}], max_tokens=8,
                                temperature=0, seed=1)
        await endpoint.close()
        return time.monotonic() - started

    assert asyncio.run(main()) < 2.0


def test_the_eta_does_not_jump_when_rows_finish_in_a_burst():
    progress = Progress(enabled=False)
    progress.plan(1000)
    shown = []
    for second in range(1, 121):  # a steady 2 rows a second, then a burst of 300 at 60 s
        progress.finished(302 if second == 60 else 2)
        eta = progress.eta(float(second))
        if eta is not None:
            shown.append((second, eta))
    assert shown[0][0] == 25  # nothing before 5 % of the rows are done
    for (t0, a), (t1, b) in zip(shown, shown[1:], strict=False):
        assert abs(b - (a - (t1 - t0))) <= 0.25 * max(a, 60), (t0, a, t1, b)
    raw_jump = 60 * (1000 - 120) / 120 - 60 * (1000 - 420) / 420  # what the old ETA did
    assert raw_jump > 300
