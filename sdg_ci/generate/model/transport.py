"""A lean HTTP/1.1 client for plain-http model servers: kept-alive asyncio connections.

Why: the openai client's stack (request models, httpx, httpcore, h11, anyio) costs about
1 ms of client CPU per request, which on a 2-core CI runner competes with the model server
itself. Local servers (vLLM, llama.cpp, Ollama) speak plain HTTP/1.1; for them this client
writes the request and reads the reply directly (~0.1 ms). `https://` endpoints (hosted
APIs: TLS, proxies) keep using the openai client (`generate.teacher.client`).
"""

from __future__ import annotations

import asyncio

MAX_HEADER_BYTES = 64 * 1024
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class TransportError(Exception):
    """The exchange failed before a complete reply arrived."""


class ConnectFailed(TransportError):
    pass


class TimedOut(TransportError):
    pass


class Broken(TransportError):
    """Reset, closed early, or not HTTP."""


class _Stale(Exception):
    """A reused connection closed before sending a byte: safe to try a fresh one."""


class HTTP1Pool:
    """Kept-alive connections to one host:port, reused one request at a time."""

    def __init__(self, host: str, port: int, connect_timeout: float = 30.0):
        self.host, self.port = host, port
        self.connect_timeout = connect_timeout
        self._idle: list[Connection] = []
        self._host_header = f"{host}:{port}".encode("ascii")

    async def post(self, target: str, headers: dict[str, str], body: bytes,
                   timeout: float | None) -> tuple[int, dict[str, str], bytes]:
        """POST `body`; returns (status, lower-cased headers, body)."""
        head = [b"POST " + target.encode("ascii") + b" HTTP/1.1", b"Host: " + self._host_header,
                b"Content-Length: " + str(len(body)).encode("ascii"),
                b"Accept-Encoding: identity"]
        head += [f"{name}: {value}".encode("latin-1") for name, value in headers.items()]
        payload = b"\r\n".join(head) + b"\r\n\r\n" + body
        while self._idle:  # the server may have closed a kept-alive connection meanwhile
            try:
                return await self._exchange(self._idle.pop(), payload, timeout)
            except _Stale:
                continue
        try:
            return await self._exchange(await self._connect(), payload, timeout)
        except _Stale:
            raise Broken("the server closed the connection without a reply") from None

    async def _connect(self) -> Connection:
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port, limit=MAX_HEADER_BYTES),
                self.connect_timeout)
        except asyncio.TimeoutError:
            raise TimedOut(f"connecting to {self.host}:{self.port} timed out") from None
        except OSError as exc:
            raise ConnectFailed(f"cannot connect to {self.host}:{self.port}: "
                                f"{exc.strerror or exc}") from None

    async def _exchange(self, conn: Connection, payload: bytes,
                        timeout: float | None) -> tuple[int, dict[str, str], bytes]:
        reader, writer = conn
        keep = False
        try:
            writer.write(payload)
            status, headers, body, keep = await asyncio.wait_for(_read_response(reader),
                                                                 timeout)
            return status, headers, body
        except _Stale:
            raise
        except asyncio.TimeoutError:
            raise TimedOut(f"no reply within {timeout:g}s") from None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ValueError, IndexError) as exc:
            raise Broken(f"broken reply ({type(exc).__name__})") from None
        finally:
            if keep:
                self._idle.append(conn)
            else:
                writer.close()

    def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


async def _read_response(
        reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes, bool]:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            raise _Stale() from None
        raise
    lines = head[:-4].decode("latin-1").split("\r\n")
    version, status_text = lines[0].split(" ", 2)[:2]
    status = int(status_text)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    connection = headers.get("connection", "").lower()
    keep = connection != "close" and (version == "HTTP/1.1" or connection == "keep-alive")
    if status in (204, 304) or 100 <= status < 200:
        return status, headers, b"", keep
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body, keep = await reader.read(), False  # the body runs to the end of the connection
    return status, headers, body, keep


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
