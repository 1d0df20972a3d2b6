"""A minimal GitHub REST client: JSON in and out, bounded retries, pagination.

The token is only ever sent to the origin of the API URL: redirects are not followed and a
pagination link elsewhere is refused; `repr()` never shows it.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from sdg_ci import __version__


class GitHubApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status
        self.message = message


class GitHubClient:
    """A minimal GitHub REST client: JSON in and out, bounded retries, pagination."""

    def __init__(
        self,
        api_url: str,
        token: str,
        timeout: float = 20.0,
        retries: int = 2,
        backoff_s: float = 1.0,
    ):
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.retries = retries
        self.backoff_s = backoff_s
        origin = urlsplit(self.api_url)
        self._origin = (origin.scheme, origin.netloc)

    def __repr__(self) -> str:  # never show the token
        return f"GitHubClient({self.api_url!r})"

    def _url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            url = path_or_url
        else:
            url = self.api_url + "/" + path_or_url.lstrip("/")
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin:
            raise GitHubApiError(0, f"refusing to send the token to {parts.scheme}://{parts.netloc}")
        return url

    def request(self, method: str, path_or_url: str, body: Any = None) -> tuple[Any, dict]:
        """(decoded JSON, response headers); GitHubApiError on an HTTP error."""
        url = self._url(path_or_url)
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self._token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": f"sdg-ci/{__version__}",
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            req = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with _OPENER.open(req, timeout=self.timeout) as resp:
                    raw = resp.read()
                    hdrs = {k.lower(): v for k, v in resp.headers.items()}
                return (json.loads(raw) if raw.strip() else None), hdrs
            except urllib.error.HTTPError as exc:
                status = exc.code
                message = _error_message(exc)
                if (status >= 500 or status == 429) and attempt < self.retries:
                    attempt += 1
                    time.sleep(self.backoff_s * attempt)
                    continue
                raise GitHubApiError(status, message) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                if attempt < self.retries:
                    attempt += 1
                    time.sleep(self.backoff_s * attempt)
                    continue
                reason = getattr(exc, "reason", exc)
                raise GitHubApiError(0, f"cannot reach {self.api_url}: {reason}") from None
            except ValueError as exc:
                raise GitHubApiError(0, f"the API sent a body that is not JSON: {exc}") from None

    def paginate(self, path: str, max_pages: int = 100) -> Iterator[Any]:
        """Every item of a listed resource, following `Link: <...>; rel="next"`."""
        sep = "&" if "?" in path else "?"
        url: str | None = f"{path}{sep}per_page=100"
        pages = 0
        while url and pages < max_pages:
            data, headers = self.request("GET", url)
            pages += 1
            if not isinstance(data, list):
                raise GitHubApiError(0, "the API sent a listing that is not a list")
            yield from data
            url = _next_link(headers.get("link", ""))
            if url:
                url = urljoin(self.api_url + "/", url)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Do not follow redirects: the Authorization header must not travel elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _next_link(header: str) -> str | None:
    for part in header.split(","):
        m = re.match(r'\s*<([^>]+)>\s*;\s*(.*)', part)
        if m and re.search(r'rel="?next"?', m.group(2)):
            return m.group(1)
    return None


def _error_message(exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read(4096)
        data = json.loads(body)
        if isinstance(data, dict) and data.get("message"):
            return str(data["message"])[:300]
    except Exception:  # noqa: BLE001 - any unreadable body: use the reason
        pass
    return str(exc.reason)[:300]
