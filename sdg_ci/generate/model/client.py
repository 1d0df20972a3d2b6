"""The models of one run: the teacher and critic endpoints, the response cache they share,
and the embedded server when no URL is configured.

Why one object: the stage code asks for "the critic" and never needs to know whether the
model is embedded, remote, or shared between teacher and critic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sdg_ci.config import GenerateSettings, ModelEndpoint
from sdg_ci.errors import SdgCiError
from sdg_ci.generate.model import embedded
from sdg_ci.generate.model.cache import ResponseCache
from sdg_ci.generate.model.endpoint import Endpoint, Policy, api_key_from_env, public_url
from sdg_ci.generate.model.limiter import CapacityLimiter
from sdg_ci.generate.model.replicas import Replica
from sdg_ci.records.stages import Role

REMOTE_CONTEXT_WINDOW = 8192

# (endpoint label, max_concurrency) -> an object with the AdaptiveLimiter interface
# (`await acquire(priority)`, `release()`, `on_success(...)`, `on_overload(retry_after)`,
# `limit`, `in_flight`): lets a distributed build hold one server's limit across processes.
LimiterFactory = Callable[[str, int | None], Any]


class ModelClient:
    """Teacher and critic endpoints built from the settings; API keys come from `environ`
    (None: this process's environment). `limiter_factory` replaces each remote endpoint's
    in-process limiter (None: the default AdaptiveLimiter)."""

    def __init__(self, settings: GenerateSettings, cache_dir: Path,
                 environ: Mapping[str, str] | None = None,
                 limiter_factory: LimiterFactory | None = None):
        self.settings = settings
        self.limiter_factory = limiter_factory
        self.cache_dir = cache_dir
        self.environ = environ
        self.cache = ResponseCache(cache_dir / "responses.sqlite")
        self.embedded_server: embedded.EmbeddedServer | None = None
        self._embedded_endpoint: Endpoint | None = None
        self._limiters: dict[tuple[str, str, int | None, str], CapacityLimiter] = {}
        self.teacher = self._endpoint(settings.teacher, Role.TEACHER)
        critic = settings.critic
        same = critic is None or critic == settings.teacher
        self.critic = self.teacher if same else self._endpoint(critic, Role.CRITIC)

    def endpoint(self, role: Role) -> Endpoint:
        return self.teacher if role is Role.TEACHER else self.critic

    @property
    def endpoints(self) -> list[Endpoint]:
        return [self.teacher] if self.critic is self.teacher else [self.teacher, self.critic]

    @property
    def uses_embedded(self) -> bool:
        return any(e.kind == "embedded" for e in self.endpoints)

    def _endpoint(self, spec: ModelEndpoint, role: Role) -> Endpoint:
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
            replicas = [Replica(url.rstrip("/"), self._limiter(url, spec.max_concurrency),
                                public_url(url)) for url in spec.urls]
            return Endpoint(
                kind="openai", model=spec.model, base_url=replicas[0].url,
                api_key=api_key_from_env(spec.api_key_env, self.environ), cache=self.cache,
                policy=policy, replicas=replicas,
                label=", ".join(r.label for r in replicas),
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
                cache=self.cache, policy=policy,
                # its slots are known: no more in flight than it serves at once, so nothing
                # waits in llama.cpp's queue while its timeout runs
                limiter=CapacityLimiter(server.parallel, initial=server.parallel, fixed=True),
                context_window=min(spec.context_window or server.context_window,
                                   server.context_window),
                starter=server.start, label="embedded model", max_tokens=opts.max_tokens,
                exit_reason=server.exit_reason,
            )
        return self._embedded_endpoint

    def _limiter(self, url: str, ceiling: int | None) -> CapacityLimiter:
        """The one limiter of the server at `url` (scheme, host, port, path): teacher and
        critic on one server under two model names share its capacity."""
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = None
        key = (parts.scheme.lower(), (parts.hostname or "").lower(), port,
               parts.path.rstrip("/"))
        limiter = self._limiters.get(key)
        if limiter is None and self.limiter_factory is not None:
            # a Ray build: the server's limit is shared with every worker's tasks
            limiter = self._limiters[key] = self.limiter_factory(public_url(url), ceiling)
            return limiter
        if limiter is None:
            limiter = self._limiters[key] = CapacityLimiter(ceiling)
        elif ceiling is not None and ceiling < limiter.ceiling:  # the lower ceiling wins
            limiter.ceiling = ceiling
            limiter.limit = min(limiter.limit, ceiling)
        return limiter

    async def close(self) -> None:
        for endpoint in self.endpoints:
            await endpoint.close()
        if self.embedded_server is not None:
            await self.embedded_server.close()
        self.cache.close()
