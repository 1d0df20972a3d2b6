"""One logical question to a model: render the prompt, check the budget, call, parse.

Why here: every stage needs the same care. A reply that does not parse is asked again with a
new seed (bounded), each attempt cached under its own key so a re-run replays the same
sequence; with `n` > 1 a server that returns fewer samples is topped up one by one. The
result is one Outcome per sample: a value, or a reason class with a readable reason.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sdg_ci.generate.model.budget import TooLong, fit_reply
from sdg_ci.generate.model.client import ModelClient
from sdg_ci.generate.model.endpoint import CallError, Reply
from sdg_ci.generate.model.parse import ParseError
from sdg_ci.generate.model.prompts import load_prompt
from sdg_ci.records.run import Usage

RETRY_TEMPERATURE = 0.7


def stable_seed(*parts: object) -> int:
    """A per-row sampling seed from its identity, so runs are reproducible."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def messages_digest(messages: list[dict[str, str]]) -> str:
    blob = "\x1e".join(f"{m['role']}\x1f{m['content']}" for m in messages)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


@dataclass
class Outcome:
    value: object = None
    failure: str | None = None  # parse_failure | error | too_long
    reason: str = ""
    raw: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


async def ask(models: ModelClient, prompt_name: str, variables: Mapping[str, object], *,
              parse: Callable[[str], object], priority: tuple, where: str, usage: Usage,
              n: int = 1, count: int | None = None) -> list[Outcome]:
    """Ask `n` samples of one prompt; `count` sizes a list in the JSON schema.

    `priority` orders the call among those waiting for the endpoint; `where` names the row
    for a person ("<leaf>: seed 2"); the calls are counted in `usage`.
    """
    settings = models.settings
    prompt = load_prompt(prompt_name)
    endpoint = models.endpoint(prompt.role)
    messages = prompt.render(variables)
    try:
        wanted = min(prompt.max_tokens, endpoint.max_tokens or prompt.max_tokens)
        max_tokens = fit_reply(messages, wanted, endpoint.context_window)
    except TooLong as exc:
        reason = f"{where}: {exc} of the {prompt.role}; shorten it"
        return [Outcome(failure="too_long", reason=reason) for _ in range(n)]
    schema = prompt.schema_for(count) if prompt.format == "json" else None
    digest = messages_digest(messages)  # the row's identity is its content, not its position

    async def call(sample: int, attempt: int, samples: int) -> Reply:
        seed = stable_seed(settings.seed, prompt_name, digest, sample, attempt)
        temperature = prompt.temperature if attempt == 0 else max(prompt.temperature,
                                                                   RETRY_TEMPERATURE)
        return await endpoint.chat(messages, max_tokens=max_tokens, temperature=temperature,
                                   seed=seed, n=samples, schema=schema,
                                   stage=prompt.stage.value, priority=priority, usage=usage)

    async def settle(sample: int, text: str | None) -> Outcome:
        attempt = 0
        while True:
            if text is not None:
                try:
                    return Outcome(value=parse(text))
                except ParseError as exc:
                    failure = Outcome(failure="parse_failure", reason=str(exc),
                                      raw=text)
                if attempt >= settings.parse_retries:
                    return failure
                attempt += 1
            try:
                reply = await call(sample, attempt, 1)
            except CallError as exc:
                return _error(exc, where)
            text = reply.texts[0] if reply.texts else ""

    use_n = n > 1 and settings.use_n
    first: list[str] = []
    if n == 1 or use_n:
        try:
            first = (await call(0, 0, n)).texts
        except CallError as exc:
            return [_error(exc, where) for _ in range(n)]
    # sample 0 of a one-by-one top-up reuses the first call; the others get their own seeds
    texts = [first[i] if i < len(first) else None for i in range(n)]
    return list(await asyncio.gather(*(settle(i, texts[i]) for i in range(n))))


def _error(exc: CallError, where: str) -> Outcome:
    if exc.too_long:
        return Outcome(failure="too_long", reason=f"{where}: {exc}; shorten it")
    return Outcome(failure="error", reason=str(exc))
