"""A local OpenAI-compatible chat server for tests and benchmarks (real HTTP on 127.0.0.1).

Deterministic replies driven by the prompt (the stage comes from the `X-Sdg-Stage` header or
the JSON schema's name), a request log, fault injection and a simulated cost model:

    server = FakeOpenAI().start()            # or the `openai_server` pytest fixture
    server.add_fault("429", stage="answers", times=2, retry_after=0.1)
    ... point a client at server.url ...
    server.requests                          # every request: body, stage, status, answered
    server.stop()

Fault kinds: timeout (hang, then close), reset (close at once), 429 (with Retry-After),
500/502/503, truncated (body cut short), nonjson (a 200 that is not JSON), empty_choices,
garbage (a 200 whose content no parser reads), context_length (a 400 naming the context),
hold (block until `release()`), die (the server stops: later connections are refused).
A rule applies to requests matching `stage` and `match` (substring of the user message),
after letting `skip` of them through, `times` times (None: always).
`responder(stage, body, choice) -> str | None` overrides the default reply text.
Cost model (benchmarks): each request takes prefill_s_per_token * prompt tokens +
decode_s_per_token * completion tokens, with at most `capacity` served at once (a virtual
clock assigns each request to the first free slot; the reply leaves when its work ends).
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import json
import re
import threading
import time
from dataclasses import dataclass

WORDS = (
    "river mountain engine garden violin comet ledger harbor lantern falcon meadow copper "
    "glacier orchard pigeon quartz saddle tunnel walnut yacht anchor basket candle desert "
    "ember feather goblet hammer island jacket kettle ladder marble needle oyster pepper "
    "quilt ribbon spider thimble umbrella velvet wagon zipper acorn bridge cactus dolphin "
    "eagle forest ginger helmet iceberg jungle kayak lemon magnet nutmeg opera parrot rocket "
    "salmon tiger unicorn valley window yogurt zebra").split()
QUESTION_FORMS = (
    "How does the {0} change the {1} near a {2}?",
    "Why would a {0} need a {1} during the {2} season?",
    "What is the best way to describe a {0} to someone who owns a {1} and a {2}?",
    "Which {0} facts surprise people who study the {1} and the {2}?",
    "Explain how a {0} and a {1} compare when placed next to a {2}.",
)


def _hash(*parts) -> int:
    return int(hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def _words(h: int, count: int) -> list[str]:
    return [WORDS[(h >> (6 * i)) % len(WORDS)] for i in range(count)]


def default_reply(stage: str, body: dict, choice: int) -> str:
    """A well-formed reply for each stage, a pure function of the request."""
    messages = body.get("messages", [])
    user = messages[-1]["content"] if messages else ""
    h = _hash(user, body.get("seed"), body.get("temperature"), choice)
    if stage == "questions":
        count = _schema_count(body) or _prompt_count(user) or 3
        return json.dumps({"questions": [
            QUESTION_FORMS[(h + i) % len(QUESTION_FORMS)].format(*_words(_hash(h, i), 3))
            for i in range(count)]})
    if stage == "question_critic":
        question = user.rsplit("Question:", 1)[-1]
        keep = "DROP" not in question
        return json.dumps({"reason": "clear and answerable" if keep else "asks to be dropped",
                           "verdict": "keep" if keep else "drop"})
    if stage == "answers":
        question = user.rsplit("Question:", 1)[-1].strip()
        return f"Answer {h % 10**6}: about {question[:80]} — " + " ".join(_words(h, 8)) + "."
    if stage == "contexts":
        return "Notes. " + " ".join(_words(h, 10)) + ". " + " ".join(_words(h >> 7, 10)) + "."
    if stage == "pair_rating":
        rating = 1 if "BAD" in user else (3, 3, 2, 1, 3)[h % 5]
        return json.dumps({"reason": f"rated {rating}", "rating": rating})
    if stage == "pair_eval":
        rating = (3, 3, 2, 1, 3)[h % 5]
        return json.dumps({"faithfulness_reason": "supported", "faithful": h % 7 != 0,
                           "relevancy_reason": "on topic", "relevancy": 2,
                           "rating_reason": f"rated {rating}", "rating": rating})
    return "ok"


def _schema_count(body: dict) -> int | None:
    fmt = body.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema") or {}
    for prop in schema.get("properties", {}).values():
        if "maxItems" in prop:
            return int(prop["maxItems"])
    return None


def _prompt_count(user: str) -> int | None:
    match = re.search(r"Write (\d+) new", user)
    return int(match.group(1)) if match else None


def _stage_of(headers: dict, body: dict) -> str:
    stage = headers.get("x-sdg-stage")
    if stage:
        return stage
    fmt = body.get("response_format") or {}
    return (fmt.get("json_schema") or {}).get("name", "")


@dataclass
class Fault:
    kind: str
    stage: str | None = None
    match: str | None = None
    skip: int = 0
    times: int | None = 1
    retry_after: float | None = None
    hang_s: float = 5.0
    seen: int = 0
    applied: int = 0

    def wants(self, stage: str, user: str) -> bool:
        if self.stage is not None and stage != self.stage:
            return False
        if self.match is not None and self.match not in user:
            return False
        self.seen += 1
        if self.seen <= self.skip or (self.times is not None and self.applied >= self.times):
            return False
        self.applied += 1
        return True


@dataclass
class Record:
    body: dict
    stage: str
    started: float
    status: int = 0
    answered: bool = False  # a complete, well-formed 200 was sent
    fault: str | None = None
    service_start: float = 0.0
    service_end: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    key: str = ""  # hash of the body, to compare requests across runs


class FakeOpenAI:
    def __init__(self, responder=None, honour_n: bool = True, support_schema: bool = True,
                 delay_s: float = 0.0, capacity: int | None = None,
                 prefill_s_per_token: float = 0.0, decode_s_per_token: float = 0.0,
                 model: str = "fake-model", port: int = 0):
        self.responder = responder
        self.honour_n = honour_n
        self.support_schema = support_schema
        self.delay_s = delay_s
        self.capacity = capacity
        self.prefill_s_per_token = prefill_s_per_token
        self.decode_s_per_token = decode_s_per_token
        self.model = model
        self.faults: list[Fault] = []
        self.requests: list[Record] = []
        self.dead = False
        self._port = port
        self._lock = threading.Lock()
        self._slots = [0.0] * capacity if capacity else None  # heap: when each slot frees
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._released: asyncio.Event | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    # -- control (from any thread) ---------------------------------------------------------
    def start(self) -> FakeOpenAI:
        """Serve from an event loop in a background thread (one thread, many connections)."""
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            self._released = asyncio.Event()
            self._server = self._loop.run_until_complete(asyncio.start_server(
                self._connection, "127.0.0.1", self._port, backlog=512))
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    @property
    def port(self) -> int:
        return self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def add_fault(self, kind: str, **rule) -> Fault:
        fault = Fault(kind, **rule)
        with self._lock:
            self.faults.append(fault)
        return fault

    def release(self) -> None:
        """Let held requests go (they then fail with a reset, as if the server restarted)."""
        self._call(self._released.set)

    def die(self) -> None:
        """Stop listening and cut every connection; later connections are refused."""
        self.dead = True
        self._call(self._close_all)

    def stop(self) -> None:
        if self._loop is None or self._loop.is_closed():
            return
        self.release()
        self._call(self._close_all)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _call(self, fn) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(fn)

    def _close_all(self) -> None:
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()

    # -- views ---------------------------------------------------------------------------
    def answered(self, stage: str | None = None) -> list[Record]:
        return [r for r in self.requests if r.answered and (stage is None or r.stage == stage)]

    def stats(self) -> dict:
        """Service accounting for the benchmark (busy time, tokens, window)."""
        done = [r for r in self.requests if r.service_end]
        if not done:
            return {"requests": 0}
        busy = sum(r.service_end - r.service_start for r in done)
        return {
            "requests": len(self.requests), "served": len(done), "busy_s": busy,
            "first_start": min(r.service_start for r in done),
            "last_end": max(r.service_end for r in done),
            "intervals": [(r.service_start, r.service_end) for r in done],
            "capacity": self.capacity,
        }

    # -- serving (on the loop) ---------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self._writers.add(writer)
        try:
            while not self.dead:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, path = lines[0].split(" ")[:2]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                raw = await reader.readexactly(int(headers.get("content-length") or 0))
                if not await self._handle(method, path, headers, raw, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._writers.discard(writer)
            writer.transport.abort()

    async def _handle(self, method, path, headers, raw, writer) -> bool:
        """Answer one request; False when the connection must close."""
        if self.dead:
            return False
        if method == "GET":
            if path.rstrip("/").endswith("/stats"):
                return await _send_json(writer, 200, self.stats())
            if path.rstrip("/").endswith("/models"):
                return await _send_json(writer, 200, {"object": "list",
                                                      "data": [{"id": self.model}]})
            return await _send_json(writer, 404, {"error": {"message": "not found"}})
        try:
            body = json.loads(raw)
        except ValueError:
            return await _send_json(writer, 400, {"error": {"message": "request is not JSON"}})
        stage = _stage_of(headers, body)
        messages = body.get("messages") or []
        user = messages[-1].get("content", "") if messages else ""
        record = Record(body=body, stage=stage, started=time.monotonic(),
                        key=hashlib.sha256(raw).hexdigest())
        self.requests.append(record)
        fault = self._pick_fault(stage, user)
        if fault is not None:
            record.fault = fault.kind
            return await self._fault(fault, record, writer)
        if body.get("response_format") and not self.support_schema:
            record.status = 400
            return await _send_json(writer, 400, {"error": {
                "message": "response_format is not supported"}})
        texts = self._replies(stage, body)
        prompt_tokens = sum(len(m.get("content", "")) for m in messages) // 4 + 1
        completion_tokens = sum(len(t) // 4 + 1 for t in texts)
        record.prompt_tokens, record.completion_tokens = prompt_tokens, completion_tokens
        record.service_start, record.service_end = self._schedule(
            self._serve_time(prompt_tokens, completion_tokens))
        pause = record.service_end - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        if self.dead:
            return False
        record.status = 200
        ok = await _send_json(writer, 200, _completion(self.model, texts, prompt_tokens,
                                                       completion_tokens))
        record.answered = ok
        return ok

    async def _fault(self, fault: Fault, record: Record, writer) -> bool:
        kind = fault.kind
        if kind == "die":
            self.die()
            return False
        if kind == "hold":
            await self._released.wait()
            return False
        if kind == "timeout":
            await asyncio.sleep(fault.hang_s)
            return False
        if kind == "reset":
            return False
        if kind in ("429", "500", "502", "503"):
            record.status = int(kind)
            extra = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
            return await _send_json(writer, int(kind),
                                    {"error": {"message": f"injected {kind}"}}, extra)
        if kind == "context_length":
            record.status = 400
            return await _send_json(writer, 400, {"error": {
                "message": "This model's maximum context length is 4096 tokens; the request "
                           "has 9000 tokens"}})
        if kind == "truncated":
            record.status = 200
            payload = json.dumps(_completion(self.model, ["cut"], 1, 1)).encode()
            writer.write(_head(200, len(payload)) + payload[: len(payload) // 2])
            await writer.drain()
            return False
        if kind == "nonjson":
            record.status = 200
            return await _send(writer, 200, b"<html>upstream error</html>")
        if kind == "empty_choices":
            record.status = 200
            return await _send_json(writer, 200, _completion(self.model, [], 1, 0))
        if kind == "garbage":
            record.status = 200
            return await _send_json(writer, 200, _completion(
                self.model, ["Sorry, I am not sure what you mean."], 1, 8))
        raise ValueError(f"unknown fault kind {kind!r}")

    def _pick_fault(self, stage: str, user: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.wants(stage, user):
                    return fault
        return None

    def _replies(self, stage: str, body: dict) -> list[str]:
        n = int(body.get("n") or 1) if self.honour_n else 1
        out = []
        for choice in range(n):
            text = self.responder(stage, body, choice) if self.responder else None
            out.append(default_reply(stage, body, choice) if text is None else text)
        return out

    def _schedule(self, service_s: float) -> tuple[float, float]:
        """(start, end) of the work on the first free slot: a virtual clock, so the busy
        time measured is exact and not blurred by this process's scheduling."""
        now = time.monotonic()
        if self._slots is None:
            return now, now + service_s
        start = max(now, heapq.heappop(self._slots))
        heapq.heappush(self._slots, start + service_s)
        return start, start + service_s

    def _serve_time(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (self.delay_s + self.prefill_s_per_token * prompt_tokens
                + self.decode_s_per_token * completion_tokens)


def _completion(model: str, texts: list[str], prompt_tokens: int, completion_tokens: int) -> dict:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
        "model": model,
        "choices": [{"index": i, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": t}} for i, t in enumerate(texts)],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def _head(status: int, length: int, extra: dict | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}",
             "Content-Type: application/json", f"Content-Length: {length}"]
    lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _send(writer, status: int, payload: bytes, extra: dict | None = None) -> bool:
    try:
        writer.write(_head(status, len(payload), extra) + payload)
        await writer.drain()
        return True
    except ConnectionError:
        return False


async def _send_json(writer, status: int, data: dict, extra: dict | None = None) -> bool:
    return await _send(writer, status, json.dumps(data).encode(), extra)


def serve_forever(**options) -> None:
    """`python tests/support/openai_server.py`: run one on a port printed as JSON."""
    server = FakeOpenAI(**options).start()
    print(json.dumps({"url": server.url}), flush=True)
    try:
        threading.Event().wait()
    finally:
        server.stop()


try:
    import pytest

    @pytest.fixture
    def openai_server():
        """A started FakeOpenAI; stopped after the test."""
        server = FakeOpenAI().start()
        yield server
        server.stop()
except ImportError:  # used outside pytest (the benchmark)
    pass


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--capacity", type=int, default=None)
    parser.add_argument("--prefill", type=float, default=0.0)
    parser.add_argument("--decode", type=float, default=0.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    serve_forever(capacity=args.capacity, prefill_s_per_token=args.prefill,
                  decode_s_per_token=args.decode, port=args.port)
