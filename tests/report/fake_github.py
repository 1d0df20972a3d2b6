"""A stand-in for the GitHub REST API on 127.0.0.1, for the publishing tests.

It serves the issue-comment endpoints the check uses (and `GET /user`, `GET .../pulls/N`),
records every request (method, path, query, headers, body), paginates listings with real
`Link` headers (small pages, so the client must follow them), and can be told to answer
403/404/500 for chosen methods.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    body: object


@dataclass
class FakeGitHub:
    token: str = "ghs_test_token_0123456789"
    page_size: int = 2
    comments: dict[int, list[dict]] = field(default_factory=dict)  # PR number -> comments
    requests: list[Recorded] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)  # method -> HTTP status to answer
    # who the token belongs to (GET /user); None: an installation token, which gets 403
    viewer: str | None = None
    pulls: dict[int, str] = field(default_factory=dict)  # PR number -> head SHA
    next_id: int = 1000
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def add_comment(self, number: int, body: str, login: str = "someone",
                    user_type: str = "User", association: str = "CONTRIBUTOR") -> dict:
        with self.lock:
            self.next_id += 1
            comment = {
                "id": self.next_id,
                "body": body,
                "user": {"login": login, "type": user_type},
                "author_association": association,
                "html_url": f"https://github.example/pr/{number}#issuecomment-{self.next_id}",
            }
            self.comments.setdefault(number, []).append(comment)
            return comment

    def bot_comments(self, number: int) -> list[dict]:
        return [c for c in self.comments.get(number, []) if c["user"]["type"] == "Bot"]

    def calls(self, method: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if method is None or r.method == method]

    def start(self) -> FakeGitHub:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, data: object, headers: dict | None = None):
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                with fake.lock:
                    fake.requests.append(
                        Recorded(self.command, parts.path, parse_qs(parts.query),
                                 {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    return self._send(401, {"message": "Bad credentials"})
                if self.command in fake.fail:
                    status = fake.fail[self.command]
                    messages = {403: "Resource not accessible by integration", 404: "Not Found"}
                    return self._send(status, {"message": messages.get(status, "Server Error")})
                if parts.path == "/user" and self.command == "GET":
                    if fake.viewer is None:
                        return self._send(403, {"message": "Resource not accessible by "
                                                "integration"})
                    return self._send(200, {"login": fake.viewer, "type": "User"})
                m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/pulls/(\d+)", parts.path)
                if m and self.command == "GET":
                    sha = fake.pulls.get(int(m.group(3)))
                    if sha is None:
                        return self._send(404, {"message": "Not Found"})
                    return self._send(200, {"number": int(m.group(3)), "head": {"sha": sha}})
                m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/(\d+)/comments", parts.path)
                if m and self.command == "GET":
                    number = int(m.group(3))
                    q = parse_qs(parts.query)
                    page = int(q.get("page", ["1"])[0])
                    size = min(fake.page_size, int(q.get("per_page", ["30"])[0]))
                    items = fake.comments.get(number, [])
                    chunk = items[(page - 1) * size : page * size]
                    headers = {}
                    links = []
                    if page * size < len(items):
                        links.append(f'<{fake.url}{parts.path}?per_page={size}&page={page + 1}>;'
                                     ' rel="next"')
                    if page > 1:
                        links.append(f'<{fake.url}{parts.path}?per_page={size}&page=1>; '
                                     'rel="first"')
                    if links:
                        headers["Link"] = ", ".join(links)
                    return self._send(200, chunk, headers)
                if m and self.command == "POST":
                    comment = fake.add_comment(int(m.group(3)), body["body"],
                                               login=fake.viewer or "github-actions[bot]",
                                               user_type="User" if fake.viewer else "Bot",
                                               association="NONE")
                    return self._send(201, comment)
                m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/comments/(\d+)", parts.path)
                if m and self.command == "PATCH":
                    cid = int(m.group(3))
                    with fake.lock:
                        for items in fake.comments.values():
                            for c in items:
                                if c["id"] == cid:
                                    c["body"] = body["body"]
                                    return self._send(200, c)
                    return self._send(404, {"message": "Not Found"})
                return self._send(404, {"message": "Not Found"})

            do_GET = do_POST = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
