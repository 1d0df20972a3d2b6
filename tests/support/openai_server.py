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
decode_s_per_token * completion tokens, with at most `capacity` served at once.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def _stage_of(headers, body: dict) -> str:
    stage = headers.get("X-Sdg-Stage")
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
        self._slots = threading.Semaphore(capacity) if capacity else None
        self._released = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control -----------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

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
        self._released.set()

    def die(self) -> None:
        """Stop listening; requests already inside and later ones are cut off."""
        self.dead = True
        if self._httpd is not None:
            threading.Thread(target=self._httpd.shutdown, daemon=True).start()
            self._httpd.socket.close()

    def stop(self) -> None:
        self._released.set()
        if self._httpd is not None and not self.dead:
            self._httpd.shutdown()
        if self._httpd is not None:
            self._httpd.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

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

    # -- serving ---------------------------------------------------------------------------
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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeOpenAI

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path.rstrip("/").endswith("/stats"):
            self._json(200, self.fake.stats())
        elif self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": self.fake.model}]})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:  # noqa: N802
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if fake.dead:
            return self._cut()
        try:
            body = json.loads(raw)
        except ValueError:
            return self._json(400, {"error": {"message": "request is not JSON"}})
        stage = _stage_of(self.headers, body)
        messages = body.get("messages") or []
        user = messages[-1].get("content", "") if messages else ""
        record = Record(body=body, stage=stage, started=time.monotonic(),
                        key=hashlib.sha256(raw).hexdigest())
        with fake._lock:
            fake.requests.append(record)
        fault = fake._pick_fault(stage, user)
        if fault is not None:
            record.fault = fault.kind
            return self._fault(fault, record)
        if body.get("response_format") and not fake.support_schema:
            record.status = 400
            return self._json(400, {"error": {"message": "response_format is not supported"}})
        texts = fake._replies(stage, body)
        prompt_tokens = sum(len(m.get("content", "")) for m in messages) // 4 + 1
        completion_tokens = sum(len(t) // 4 + 1 for t in texts)
        record.prompt_tokens, record.completion_tokens = prompt_tokens, completion_tokens
        if fake._slots is not None:
            fake._slots.acquire()
        try:
            record.service_start = time.monotonic()
            pause = fake._serve_time(prompt_tokens, completion_tokens)
            if pause > 0:
                time.sleep(pause)
            record.service_end = time.monotonic()
        finally:
            if fake._slots is not None:
                fake._slots.release()
        if fake.dead:
            return self._cut()
        record.status = 200
        self._json(200, _completion(fake.model, texts, prompt_tokens, completion_tokens))
        record.answered = True

    # -- fault responses ---------------------------------------------------------------------
    def _fault(self, fault: Fault, record: Record) -> None:
        kind = fault.kind
        if kind == "die":
            self.fake.die()
            return self._cut()
        if kind == "hold":
            self.fake._released.wait()
            return self._cut()
        if kind == "timeout":
            time.sleep(fault.hang_s)
            return self._cut()
        if kind == "reset":
            return self._cut()
        if kind in ("429", "500", "502", "503"):
            record.status = int(kind)
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            return self._json(int(kind), {"error": {"message": f"injected {kind}"}}, headers)
        if kind == "context_length":
            record.status = 400
            return self._json(400, {"error": {"message": "This model's maximum context length "
                                              "is 4096 tokens; the request has 9000 tokens"}})
        if kind == "truncated":
            record.status = 200
            payload = json.dumps(_completion(self.fake.model, ["cut"], 1, 1)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            return self._cut()
        if kind == "nonjson":
            record.status = 200
            return self._send(200, b"<html>upstream error</html>", "application/json")
        if kind == "empty_choices":
            record.status = 200
            data = _completion(self.fake.model, [], 1, 0)
            return self._json(200, data)
        if kind == "garbage":
            record.status = 200
            return self._json(200, _completion(self.fake.model,
                                               ["Sorry, I am not sure what you mean."], 1, 8))
        raise ValueError(f"unknown fault kind {kind!r}")

    def _cut(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _json(self, status: int, data: dict, headers: dict | None = None) -> None:
        self._send(status, json.dumps(data).encode(), "application/json", headers)

    def _send(self, status: int, payload: bytes, ctype: str, headers: dict | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True


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
