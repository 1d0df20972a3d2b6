"""One model server (OpenAI-compatible or the embedded default): cached, limited, retried.

Why one object per server: the cache lookup, the adaptive concurrency, the retry policy and
the "this server is down, stop waiting" decision all belong to the server, not to a row.
A call either returns a Reply or raises CallError with a reason a person can read.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from sdg_ci.generate.model.cache import ResponseCache, cache_key
from sdg_ci.generate.model.limiter import CapacityLimiter
from sdg_ci.generate.model.replicas import Replica, pick
from sdg_ci.generate.model.retry import BadReply, Fault, backoff, classify
from sdg_ci.generate.model.senders import make_sender
from sdg_ci.records.run import Usage

OUTAGE_BACKOFF_CAP_S = 4.0  # a server coming back is noticed within seconds


@dataclass
class Reply:
    texts: list[str]
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str = ""
    cached: bool = False


class CallError(Exception):
    """A call that failed for good; `too_long` when the prompt cannot fit the model."""

    def __init__(self, message: str, too_long: bool = False):
        super().__init__(message)
        self.too_long = too_long


@dataclass
class Policy:
    retries: int = 4
    backoff_s: float = 0.5
    backoff_cap_s: float = 20.0
    give_up_after_s: float = 60.0  # failing continuously this long: the server is down
    structured: str = "auto"  # auto | json_schema | none
    timeout_s: float = 120.0
    client: str = "openai"  # openai | fast | auto (senders.py)


class Endpoint:
    """One model server; `usage` counts its calls (the caller's own `Usage` counts a leaf's)."""

    def __init__(self, *, kind: str, model: str, base_url: str | None, api_key: str | None,
                 cache: ResponseCache, policy: Policy, context_window: int | None,
                 max_concurrency: int | None = None, limiter: CapacityLimiter | None = None,
                 starter: Callable[[], Awaitable[str]] | None = None, label: str = "",
                 max_tokens: int | None = None,
                 exit_reason: Callable[[], str | None] | None = None,
                 replicas: list[Replica] | None = None):
        self.kind = kind  # "openai" | "embedded": part of the cache key
        self.model = model
        self.context_window = context_window
        self.max_tokens = max_tokens  # a cap on every reply, when set
        self.label = label or base_url or kind
        self.policy = policy
        self.cache = cache
        # one limiter per server, shared by every role and model name on it (client.py);
        # several replicas of the model: one each, the least-loaded live one is used
        self.replicas = replicas or [Replica(base_url, limiter or CapacityLimiter(max_concurrency),
                                             self.label)]
        self.usage = Usage()  # every call of the run, for the progress line
        self.faults: Counter[str] = Counter()
        self.in_flight = 0
        self.structured = policy.structured
        self.down_reason: str | None = None
        self._api_key = api_key
        self._starter = starter  # async () -> base_url, for the embedded server
        self._exit_reason = exit_reason  # () -> str | None: the embedded server died
        self._start_lock = asyncio.Lock()
        self._started = False  # senders are made on first use (the embedded server starts lazily)
        self._failing_since: float | None = None

    @property
    def base_url(self) -> str | None:
        return self.replicas[0].url

    @property
    def limiter(self) -> CapacityLimiter:
        """The first replica's limiter (the only one, unless `url` lists several)."""
        return self.replicas[0].limiter

    async def chat(self, messages: list[dict[str, str]], *, max_tokens: int,
                   temperature: float, seed: int, n: int = 1, schema: dict | None = None,
                   stage: str = "", priority: tuple = (), usage: Usage | None = None) -> Reply:
        """One call (replayed from the cache when it can be); counted in `usage`."""
        usage = usage or Usage()
        params = {"max_tokens": max_tokens, "temperature": temperature, "seed": seed, "n": n}
        key = cache_key(self.kind, self.model, messages, params)
        hit = self.cache.get(key)
        if hit is not None:
            usage.cache_hits += 1
            self.usage.cache_hits += 1
            return Reply(hit["texts"], hit.get("prompt_tokens", 0),
                         hit.get("completion_tokens", 0), hit.get("model", ""), cached=True)
        attempt = 0
        first_failure: float | None = None
        while True:
            if self.down_reason:
                raise CallError(self.down_reason)
            await self._ensure_client()
            replica = pick(self.replicas)
            fault, reply = await self._attempt(replica, messages, params, schema, stage, priority)
            usage.requests += 1
            if reply is not None:
                self._healthy()
                replica.healthy()
                usage.prompt_tokens += reply.prompt_tokens
                usage.completion_tokens += reply.completion_tokens
                self.usage.prompt_tokens += reply.prompt_tokens
                self.usage.completion_tokens += reply.completion_tokens
                self.cache.put(key, {"texts": reply.texts, "prompt_tokens": reply.prompt_tokens,
                                     "completion_tokens": reply.completion_tokens,
                                     "model": reply.model})
                return reply
            self.faults[fault.reason] += 1
            if fault.unsupported_schema and schema is not None and self.structured != "json_schema":
                self.structured = "none"  # this server refuses response_format: ask in text
                continue
            if fault.too_long:
                raise CallError(fault.reason, too_long=True)
            self._failing(fault)
            if self.down_reason:
                raise CallError(f"{self.down_reason} (last error: {fault.reason})")
            now = time.monotonic()
            first_failure = first_failure if first_failure is not None else now
            # a server that is gone (connection refused, 502/503) is waited for until
            # give_up_after_s, however many attempts that takes: a restart loses no call
            waiting = fault.outage and now - first_failure < self.policy.give_up_after_s
            if not fault.retryable or (attempt >= self.policy.retries and not waiting):
                raise CallError(f"{fault.reason} (gave up after {attempt + 1} attempt"
                                f"{'s' if attempt else ''})")
            if fault.overload:
                replica.limiter.on_overload(fault.retry_after)
            if fault.outage and len(self.replicas) > 1:
                replica.rest(time.monotonic())  # the others carry on meanwhile
                if any(r.rested_until <= time.monotonic() for r in self.replicas):
                    attempt += 1
                    continue
            cap = min(self.policy.backoff_cap_s, OUTAGE_BACKOFF_CAP_S) if fault.outage else \
                self.policy.backoff_cap_s
            await asyncio.sleep(backoff(attempt, self.policy.backoff_s, cap, fault.retry_after))
            attempt += 1

    async def _attempt(self, replica: Replica, messages: list[dict[str, str]], params: dict,
                       schema: dict | None, stage: str,
                       priority: tuple) -> tuple[Fault | None, Reply | None]:
        await replica.limiter.acquire(priority)
        self.in_flight += 1
        self.usage.requests += 1
        replica.requests += 1
        started = time.monotonic()  # after our own queue: waiting for a slot is not latency
        try:
            body = {"model": self.model, "messages": messages, **params}
            if params["n"] == 1:
                del body["n"]
            if schema is not None and self.structured != "none":
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": stage or "reply", "schema": schema},
                }
            reply = _reply(await replica.sender.send(body, stage))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a classified Fault
            return classify(exc), None
        finally:
            self.in_flight -= 1
            replica.limiter.release()
        replica.limiter.on_success(time.monotonic() - started, max(1, reply.completion_tokens))
        return None, reply

    async def _ensure_client(self) -> None:
        if self._started:
            return
        async with self._start_lock:
            if not self._started:
                if self._starter is not None:
                    try:
                        self.replicas[0].url = await self._starter()
                    except Exception as exc:  # noqa: BLE001 - reported per row, run goes on
                        self.down_reason = f"embedded model could not start: {exc}"
                        raise CallError(self.down_reason) from exc
                for replica in self.replicas:
                    replica.sender = make_sender(self.policy.client, replica.url or "",
                                                 self._api_key, self.policy.timeout_s)
                self._started = True

    def _healthy(self) -> None:
        self._failing_since = None

    def _failing(self, fault: Fault) -> None:
        if self._exit_reason is not None and self._exit_reason():
            self.down_reason = self._exit_reason()
            return
        now = time.monotonic()
        if self._failing_since is None:
            self._failing_since = now
        elif now - self._failing_since >= self.policy.give_up_after_s:
            self.down_reason = (f"{self.label} stopped answering (failing for "
                                f"{now - self._failing_since:.0f}s, last: {fault.reason})")

    def requests_per_replica(self) -> dict[str, int]:
        """Requests sent to each replica, by its public URL (for the summary)."""
        return {public_url(r.url) or r.label: r.requests for r in self.replicas}

    async def close(self) -> None:
        for replica in self.replicas:
            if replica.sender is not None:
                await replica.sender.close()


def _reply(data: object) -> Reply:
    """A chat completion's JSON to a Reply; anything else is a BadReply."""
    if not isinstance(data, dict):
        raise BadReply("the reply is not a JSON object")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        raise BadReply("the reply has no choices")
    ordered = sorted(choices, key=lambda c: (c.get("index") or 0) if isinstance(c, dict) else 0)
    texts = []
    for choice in ordered:
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        texts.append(content if isinstance(content, str) else "")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    return Reply(
        texts=texts,
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        model=str(data.get("model") or ""),
    )


def public_url(url: str | None) -> str:
    """`url` fit to show or store: no user:password, query or fragment (some endpoints take
    a key there), so summaries, notes and the PR comment never carry one."""
    from urllib.parse import urlsplit, urlunsplit

    if not url:
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(an endpoint URL that does not parse)"
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{port}" if port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def api_key_from_env(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The key from the named variable of `environ` (None: this process's environment);
    never logged or stored."""
    return (os.environ if environ is None else environ).get(name) or None
