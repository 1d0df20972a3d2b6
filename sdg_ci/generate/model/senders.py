"""How a chat-completions request reaches a server: two interchangeable senders.

`OpenAISender` uses the openai client (TLS, proxies, every hosted API); `FastSender` posts
over kept-alive plain-HTTP connections (local servers: ~10x less client CPU, see
`transport.py`). Both are a `Sender`: they take the request body and return the reply's
JSON, or raise what `retry.classify` understands. `generate.<role>.client: auto` picks fast
for http://.
"""

from __future__ import annotations

import json
from typing import Protocol
from urllib.parse import urlsplit

import aiohttp
import httpx2
import openai

from sdg_ci import __version__
from sdg_ci.generate.model.transport import HTTP1Pool


class Sender(Protocol):
    """Posts one chat-completions request body; returns the reply's JSON."""

    async def send(self, body: dict, stage: str) -> object: ...

    async def close(self) -> None: ...


class HTTPStatusError(Exception):
    """A non-200 reply from the fast sender (the openai client raises its own)."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        text = body.decode("utf-8", "replace")
        try:
            error = json.loads(text).get("error")
            text = error.get("message", text) if isinstance(error, dict) else str(error or text)
        except (ValueError, AttributeError):
            pass
        super().__init__(f"HTTP {status}: {text}")
        self.status_code, self.headers, self.text = status, headers, text


class FastSender:
    """Plain HTTP/1.1 over kept-alive connections (local servers)."""

    def __init__(self, base_url: str, api_key: str | None, timeout: float):
        parts = urlsplit(base_url)
        self.pool = HTTP1Pool(parts.hostname or "127.0.0.1", parts.port or 80)
        self.target = (parts.path.rstrip("/") or "") + "/chat/completions"
        self.timeout = timeout
        self.headers = {"Content-Type": "application/json", "Accept": "application/json",
                        "User-Agent": f"sdg-ci/{__version__}"}
        if api_key:
            self.headers["Authorization"] = f"Bearer {api_key}"

    async def send(self, body: dict, stage: str) -> object:
        status, headers, raw = await self.pool.post(
            self.target, {**self.headers, "X-Sdg-Stage": stage},
            json.dumps(body, ensure_ascii=False).encode("utf-8"), self.timeout)
        if status != 200:
            raise HTTPStatusError(status, headers, raw)
        return json.loads(raw)

    async def close(self) -> None:
        self.pool.close()


class AiohttpSender:
    """aiohttp (C-accelerated HTTP parser, kept-alive pool, TLS and proxies from the
    environment). Its timeout is the server's silence: `timeout` seconds without a byte of
    the reply (sock_read), not the whole exchange, and never time spent in our own queue."""

    def __init__(self, base_url: str, api_key: str | None, timeout: float):
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.timeout = aiohttp.ClientTimeout(total=None, sock_connect=min(timeout, 30.0),
                                             sock_read=timeout)
        self.headers = {"Content-Type": "application/json", "Accept": "application/json",
                        "User-Agent": f"sdg-ci/{__version__}"}
        if api_key:
            self.headers["Authorization"] = f"Bearer {api_key}"
        self._session: aiohttp.ClientSession | None = None  # made inside the running loop

    async def send(self, body: dict, stage: str) -> object:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0), timeout=self.timeout, trust_env=True)
        async with self._session.post(
                self.url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                headers={**self.headers, "X-Sdg-Stage": stage}) as response:
            raw = await response.read()
            if response.status != 200:
                headers = {k.lower(): v for k, v in response.headers.items()}
                raise HTTPStatusError(response.status, headers, raw)
        return json.loads(raw)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class OpenAISender:
    """The openai client (TLS, proxies, hosted APIs)."""

    def __init__(self, base_url: str, api_key: str | None, timeout: float):
        self.client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key or "sk-no-key",
                                         max_retries=0, timeout=timeout)

    async def send(self, body: dict, stage: str) -> object:
        # the raw POST: the same transport, auth, errors and timeouts as
        # chat.completions.create, without its ~2 ms of per-call parameter transformation
        response = await self.client.post(
            "/chat/completions", body=body, cast_to=httpx2.Response,
            options={"headers": {"X-Sdg-Stage": stage}, "security": {"bearer_auth": True}},
        )
        return json.loads(response.content)

    async def close(self) -> None:
        await self.client.close()


def make_sender(kind: str, base_url: str, api_key: str | None, timeout: float) -> Sender:
    """kind: auto (aiohttp) | aiohttp | fast (plain http:// only) | openai."""
    if kind == "auto":
        kind = "aiohttp"
    if kind == "fast" and not base_url.startswith("http://"):
        raise ValueError(f"client: fast needs an http:// URL, not {base_url}")
    cls = {"fast": FastSender, "aiohttp": AiohttpSender, "openai": OpenAISender}[kind]
    return cls(base_url, api_key, timeout)
