"""The shared state of one run: settings resolved for the scale, the two endpoints, the cache.

Why: the stage code asks for "the critic" or "questions per seed" and never needs to know
whether the model is embedded, remote, or shared between teacher and critic.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sdg_ci.config import DocumentSettings, GenerateSettings, ModelEndpoint
from sdg_ci.errors import SdgCiError
from sdg_ci.generate import embedded
from sdg_ci.generate.cache import ResponseCache
from sdg_ci.generate.endpoint import Endpoint, Policy, api_key_from_env, public_url

REMOTE_CONTEXT_WINDOW = 8192


@dataclass
class Scale:
    """The per-scale numbers, resolved once."""

    questions_per_seed: int
    contexts_per_seed: int
    questions_per_context: int
    questions_per_chunk: int
    max_chunks: int
    max_seeds: int


def resolve_scale(settings: GenerateSettings, scale: str) -> Scale:
    def pick(table: dict[str, int], name: str) -> int:
        if scale not in table:
            raise SdgCiError(f"generate.{name} has no value for scale {scale!r}")
        return int(table[scale])

    return Scale(
        questions_per_seed=pick(settings.questions_per_seed, "questions_per_seed"),
        contexts_per_seed=pick(settings.contexts_per_seed, "contexts_per_seed"),
        questions_per_context=settings.questions_per_context,
        questions_per_chunk=pick(settings.questions_per_chunk, "questions_per_chunk"),
        max_chunks=pick(settings.max_chunks, "max_chunks"),
        max_seeds=pick(settings.max_seeds, "max_seeds"),
    )


def stable_seed(*parts: object) -> int:
    """A per-row sampling seed from its identity, so runs are reproducible."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def messages_digest(messages: list[dict]) -> str:
    blob = "\x1e".join(f"{m['role']}\x1f{m['content']}" for m in messages)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


class Engine:
    def __init__(self, settings: GenerateSettings, documents: DocumentSettings, cache_dir: Path,
                 scale: str, progress=None):
        self.settings = settings
        self.documents = documents
        self.cache_dir = cache_dir
        self.scale_name = scale
        self.scale = resolve_scale(settings, scale)
        self.progress = progress
        self.cache = ResponseCache(cache_dir / "responses.sqlite")
        self.embedded_server: embedded.EmbeddedServer | None = None
        self._embedded_endpoint: Endpoint | None = None
        self.teacher = self._endpoint(settings.teacher, "teacher")
        critic = settings.critic
        same = critic is None or critic == settings.teacher
        self.critic = self.teacher if same else self._endpoint(critic, "critic")

    def endpoint(self, role: str) -> Endpoint:
        return self.teacher if role == "teacher" else self.critic

    @property
    def endpoints(self) -> list[Endpoint]:
        return [self.teacher] if self.critic is self.teacher else [self.teacher, self.critic]

    @property
    def uses_embedded(self) -> bool:
        return any(e.kind == "embedded" for e in self.endpoints)

    def _endpoint(self, spec: ModelEndpoint, role: str) -> Endpoint:
        policy = Policy(
            retries=self.settings.request_retries,
            backoff_s=self.settings.retry_backoff_s,
            give_up_after_s=self.settings.give_up_after_s,
            structured=spec.structured_output,
            timeout_s=spec.timeout_s,
            client=spec.client,
        )
        if spec.url:
            if not spec.model:
                raise SdgCiError(
                    f"generate.{role}.url is set but generate.{role}.model is not: name the "
                    f"model the server serves (--{role}-model)"
                )
            return Endpoint(
                kind="openai", model=spec.model, base_url=spec.url.rstrip("/"),
                api_key=api_key_from_env(spec.api_key_env), cache=self.cache, policy=policy,
                max_concurrency=spec.max_concurrency, label=public_url(spec.url),
                context_window=spec.context_window or REMOTE_CONTEXT_WINDOW,
            )
        if self._embedded_endpoint is None:  # teacher and critic share one embedded server
            opts = self.settings.embedded
            server = embedded.EmbeddedServer(
                self.cache_dir / "embedded-server.log", parallel=opts.parallel,
                threads=opts.threads,
            )
            self.embedded_server = server
            self._embedded_endpoint = Endpoint(
                kind="embedded", model=embedded.model_id(), base_url=None, api_key=None,
                cache=self.cache, policy=policy, max_concurrency=server.parallel * 2,
                context_window=min(spec.context_window or server.context_window,
                                   server.context_window),
                starter=server.start, label="embedded model", max_tokens=opts.max_tokens,
                exit_reason=server.exit_reason,
            )
        return self._embedded_endpoint

    async def close(self) -> None:
        for endpoint in self.endpoints:
            await endpoint.close()
        if self.embedded_server is not None:
            await self.embedded_server.close()
        self.cache.close()
