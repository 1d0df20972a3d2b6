"""Publishing a check to GitHub: PR comment, job summary, step outputs, annotations.

Plain REST over HTTP (`urllib.request`, no client library): the token comes from the
environment (`GITHUB_TOKEN`), the base URL from `GITHUB_API_URL` (GitHub Enterprise, and the
tests' local server). What is published:

- one comment per pull request, found again by a hidden marker at its start and updated in
  place on every push (the listing is paginated; only a comment written by a bot or by
  someone with write access counts, so a contributor cannot plant the marker and have the
  summary overwrite their comment). A read-only token (fork PRs: HTTP 403) or a missing PR
  (404) is not a failure: the job summary carries the report and a notice says why;
- the job summary (`GITHUB_STEP_SUMMARY`), step outputs (`GITHUB_OUTPUT`) and `::error` /
  `::warning` annotations with file, line and column;
- `::add-mask::` for the token and model API keys, so the runner hides them if anything
  ever echoed them. The token is never printed, logged or put in an error message, and is
  only ever sent to the origin of `GITHUB_API_URL` (a pagination link elsewhere is refused).
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urljoin, urlsplit

from sdg_ci import __version__

if TYPE_CHECKING:  # pragma: no cover
    from sdg_ci.check import CheckSummary, PullRequestInfo

MARKER_PREFIX = "<!-- sdg-ci:pr-summary"
COMMENT_LIMIT = 65536
# who may own the comment we update: a bot (github-actions[bot], an app) or a writer
TRUSTED_ASSOCIATIONS = {"OWNER", "MEMBER", "COLLABORATOR"}


# ------------------------------------------------------------------ the environment


@dataclass
class GitHubEnv:
    """What GitHub Actions tells a step through its environment (all optional locally)."""

    actions: bool = False
    api_url: str = "https://api.github.com"
    server_url: str = "https://github.com"
    repository: str | None = None
    event_name: str | None = None
    event: dict = field(default_factory=dict)
    token: str | None = field(default=None, repr=False)
    step_summary: Path | None = None
    output: Path | None = None
    base_ref: str | None = None
    run_id: str | None = None
    pr_number_override: str | None = None
    head_sha_override: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> GitHubEnv:
        def get(name: str) -> str | None:
            value = environ.get(name, "")
            return value if value.strip() else None

        event: dict = {}
        event_path = get("GITHUB_EVENT_PATH")
        if event_path:
            try:
                loaded = json.loads(Path(event_path).read_text(encoding="utf-8"))
                event = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError, UnicodeDecodeError):
                event = {}
        return cls(
            actions=environ.get("GITHUB_ACTIONS") == "true",
            api_url=(get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
            server_url=(get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/"),
            repository=get("GITHUB_REPOSITORY"),
            event_name=get("GITHUB_EVENT_NAME"),
            event=event,
            token=get("GITHUB_TOKEN"),
            step_summary=Path(p) if (p := get("GITHUB_STEP_SUMMARY")) else None,
            output=Path(p) if (p := get("GITHUB_OUTPUT")) else None,
            base_ref=get("GITHUB_BASE_REF"),
            run_id=get("GITHUB_RUN_ID"),
            pr_number_override=get("SDG_CI_PR_NUMBER"),
            head_sha_override=get("SDG_CI_HEAD_SHA"),
        )

    # what the event says about the pull request ------------------------------------
    def _pr(self) -> dict:
        pr = self.event.get("pull_request")
        return pr if isinstance(pr, dict) else {}

    def pr_number(self) -> int | None:
        candidates: list[Any] = [self.pr_number_override, self._pr().get("number")]
        run = self.event.get("workflow_run")
        if isinstance(run, dict):
            prs = run.get("pull_requests") or []
            if prs and isinstance(prs[0], dict):
                candidates.append(prs[0].get("number"))
        if self.event_name == "issue_comment":
            issue = self.event.get("issue") or {}
            if isinstance(issue, dict) and issue.get("pull_request"):
                candidates.append(issue.get("number"))
        for value in candidates:
            if value is None:
                continue
            text = str(value).strip()
            if text.isdigit() and 0 < int(text) < 10**9:
                return int(text)
        return None

    def head_sha(self) -> str | None:
        for value in (
            self.head_sha_override,
            (self._pr().get("head") or {}).get("sha"),
            (self.event.get("workflow_run") or {}).get("head_sha")
            if isinstance(self.event.get("workflow_run"), dict)
            else None,
        ):
            if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", value):
                return value
        return None

    def pr_base_ref(self) -> str | None:
        ref = (self._pr().get("base") or {}).get("ref") or self.base_ref
        return ref if isinstance(ref, str) and ref else None

    def default_base(self) -> str | None:
        """`origin/<base branch>` on a pull request; None elsewhere (the diff decides)."""
        ref = self.pr_base_ref()
        return f"origin/{ref}" if ref else None

    def run_url(self) -> str | None:
        if self.repository and self.run_id:
            return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"
        return None

    def pull_request_info(self) -> PullRequestInfo:
        from sdg_ci.check import PullRequestInfo

        return PullRequestInfo(
            server_url=self.server_url,
            repository=self.repository,
            number=self.pr_number(),
            head_sha=self.head_sha(),
            base_ref=self.pr_base_ref(),
            run_url=self.run_url(),
        )


# ------------------------------------------------------------------ workflow commands


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def workflow_command(name: str, message: str = "", **properties: object) -> str:
    """`::name key=value,...::message`, escaped the way the Actions toolkit does, so
    untrusted text in `message` cannot end the line or start another command."""
    props = ",".join(
        f"{k}={_escape_property(str(v))}" for k, v in properties.items() if v is not None
    )
    return f"::{name}{' ' + props if props else ''}::{_escape_data(message)}"


def annotation(
    level: str,
    message: str,
    file: str | None = None,
    line: int | None = None,
    col: int | None = None,
    title: str | None = None,
) -> str:
    """An `::error`/`::warning`/`::notice` annotation with its place."""
    return workflow_command(level, message, file=file, line=line, col=col, title=title)


def add_mask(value: str, out: TextIO | None = None) -> None:
    """Tell the runner to hide `value` in logs (each line of a multi-line secret)."""
    out = out or sys.stdout
    for line in value.splitlines():
        if line.strip():
            out.write(f"::add-mask::{line}\n")
    out.flush()


def mask_secrets(env: GitHubEnv, environ: Mapping[str, str], names: list[str]) -> None:
    """Mask the token and every named API-key variable, in Actions only."""
    if not env.actions:
        return
    values = [env.token] + [environ.get(n) for n in names]
    for value in values:
        if value and len(value.strip()) >= 4:
            add_mask(value)


def check_annotations(summary: CheckSummary) -> list[str]:
    """The annotation lines for a check: validation diagnostics, gate failures, notes."""
    from sdg_ci.report.escape import plain

    lines = []
    for f in summary.validation:
        for d in [*f.errors, *f.warnings]:
            lines.append(
                annotation(
                    "error" if d.severity == "error" else "warning",
                    plain(f"{d.code} {d.message}", 2000),
                    file=summary.repo_path(f.path),
                    line=max(1, d.line),
                    col=max(1, d.column),
                    title=f"sdg-ci {d.code}",
                )
            )
    for g in summary.gate_failures:
        lines.append(
            annotation(
                "error",
                plain(g.message, 2000),
                file=summary.repo_path(g.leaf),
                line=1,
                col=1,
                title=f"sdg-ci quality gate {g.gate}",
            )
        )
    if summary.generation is not None:
        for leaf in summary.generation.leaves:
            for note in leaf.notes:
                lines.append(
                    annotation(
                        "warning",
                        plain(note, 2000),
                        file=summary.repo_path(leaf.path),
                        line=1,
                        col=1,
                        title="sdg-ci generation",
                    )
                )
    if summary.generation_error:
        lines.append(
            annotation("error", plain(f"generation failed: {summary.generation_error}", 2000))
        )
    return lines


def write_outputs(path: Path, values: Mapping[str, str]) -> None:
    """Append step outputs in the multi-line-safe `name<<DELIMITER` form."""
    with path.open("a", encoding="utf-8") as fh:
        for name, value in values.items():
            delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
            while delimiter in value:  # pragma: no cover - 64 random bits
                delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
            fh.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def check_outputs(summary: CheckSummary) -> dict[str, str]:
    out = Path(summary.out_dir)
    return {
        "verdict": summary.verdict,
        "changed-leaves": json.dumps(summary.changed_leaves),
        "changed-count": str(len(summary.changed_leaves)),
        "deleted-leaves": json.dumps(
            sorted(c.path for c in summary.changes if c.status == "deleted")
        ),
        "invalid-leaves": json.dumps(sorted(f.path for f in summary.invalid_files)),
        "kept-pairs": str(summary.pairs_kept),
        "summary-path": str(out / "summary.md"),
        "summary-json": str(out / "summary.json"),
        "check-json": str(out / "check.json"),
        "out-dir": str(out),
    }


# ------------------------------------------------------------------------- the API


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


# -------------------------------------------------------------------- the comment


def marker(key: str = "") -> str:
    """The hidden marker that finds this tool's comment again (one per taxonomy path)."""
    safe = re.sub(r"[^A-Za-z0-9._/]+", "_", key).strip("_")
    return f"{MARKER_PREFIX}{':' + safe if safe else ''} -->"


def _owned(comment: dict, mark: str) -> bool:
    body = comment.get("body") or ""
    if not isinstance(body, str) or not body.lstrip().startswith(mark):
        return False
    user = comment.get("user") or {}
    return (isinstance(user, dict) and user.get("type") == "Bot") or (
        comment.get("author_association") in TRUSTED_ASSOCIATIONS
    )


@dataclass
class CommentResult:
    action: str  # created | updated
    id: int
    url: str | None


def upsert_comment(
    client: GitHubClient, repository: str, number: int, body: str, mark: str
) -> CommentResult:
    """Create the PR's summary comment, or update the one already there in place."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
        raise GitHubApiError(0, f"not a repository name: {repository!r}")
    existing = None
    for comment in client.paginate(f"/repos/{repository}/issues/{int(number)}/comments"):
        if isinstance(comment, dict) and _owned(comment, mark):
            existing = comment
            break
    if existing is not None:
        data, _ = client.request(
            "PATCH", f"/repos/{repository}/issues/comments/{int(existing['id'])}", {"body": body}
        )
        action = "updated"
    else:
        data, _ = client.request(
            "POST", f"/repos/{repository}/issues/{int(number)}/comments", {"body": body}
        )
        action = "created"
    data = data if isinstance(data, dict) else {}
    return CommentResult(action=action, id=int(data.get("id") or 0), url=data.get("html_url"))


def comment_body(markdown: str, mark: str, limit: int = COMMENT_LIMIT) -> str:
    body = f"{mark}\n{markdown}"
    if len(body) > limit:  # render() keeps well under; this is the last guard
        body = body[: limit - 200].rsplit("\n", 1)[0] + "\n\n_(cut: the comment size limit)_\n"
    return body


# -------------------------------------------------------------------- publishing


def _say(env: GitHubEnv, level: str, message: str, out: TextIO) -> None:
    if env.actions:
        out.write(annotation(level, message, title="sdg-ci") + "\n")
    else:
        print(f"sdg-ci: {level}: {message}", file=sys.stderr)


def publish(
    summary: CheckSummary,
    markdown: str,
    env: GitHubEnv,
    comment: bool | None = None,
    out: TextIO | None = None,
    client: GitHubClient | None = None,
) -> list[str]:
    """Publish a check where it runs; returns one line per place it went.

    `comment`: True always tries, False never, None tries on a pull request in Actions.
    Nothing here fails the check: problems become notices and the job summary.
    """
    out = out or sys.stdout
    done: list[str] = []
    fallback_note = None

    if env.actions:
        for line in check_annotations(summary):
            out.write(line + "\n")
        out.flush()

    want_comment = comment if comment is not None else (env.actions and env.pr_number() is not None)
    if want_comment:
        number = summary.pull_request.number or env.pr_number()
        missing = [
            what
            for what, ok in (
                ("a pull request number", number),
                ("GITHUB_REPOSITORY", env.repository),
                ("a token (GITHUB_TOKEN)", env.token),
            )
            if not ok
        ]
        if missing:
            fallback_note = f"no PR comment: missing {', '.join(missing)}"
            _say(env, "notice", fallback_note, out)
        else:
            api = client or GitHubClient(env.api_url, env.token or "")
            mark = marker(summary.taxonomy)
            try:
                result = upsert_comment(
                    api, env.repository or "", int(number), comment_body(markdown, mark), mark
                )
                done.append(f"PR comment {result.action}: {result.url or result.id}")
            except GitHubApiError as exc:
                if exc.status in (403, 404):
                    why = (
                        "the token cannot write to this pull request (a fork's read-only "
                        "token?)"
                        if exc.status == 403
                        else "the pull request or repository was not found"
                    )
                else:
                    why = "the GitHub API call failed"
                fallback_note = (
                    f"could not post the PR comment ({exc}): {why}; "
                    "the report is in the job summary"
                )
                _say(env, "notice" if exc.status in (403, 404) else "warning", fallback_note, out)

    if env.step_summary is not None:
        text = markdown
        if fallback_note:
            from sdg_ci.report.escape import inline

            text = f"> [!NOTE]\n> {inline(fallback_note, 500)}\n\n{markdown}"
        try:
            with env.step_summary.open("a", encoding="utf-8") as fh:
                fh.write(text.rstrip("\n") + "\n\n")
            done.append(f"job summary: {env.step_summary}")
        except OSError as exc:
            _say(env, "warning", f"cannot write the job summary: {exc}", out)

    if env.output is not None:
        try:
            write_outputs(env.output, check_outputs(summary))
            done.append(f"step outputs: {env.output}")
        except OSError as exc:
            _say(env, "warning", f"cannot write the step outputs: {exc}", out)
    out.flush()
    return done


def publish_failure(env: GitHubEnv, message: str, out: TextIO | None = None) -> None:
    """When the check cannot run at all (e.g. a shallow clone): an error annotation and a
    job summary that says what to do, so the reason is not only in the log. Actions only."""
    if not env.actions:
        return
    from sdg_ci.report.escape import inline, plain

    out = out or sys.stdout
    out.write(annotation("error", plain(message, 2000), title="sdg-ci") + "\n")
    out.flush()
    if env.step_summary is not None:
        try:
            with env.step_summary.open("a", encoding="utf-8") as fh:
                fh.write(f"## ⛔ sdg-ci: error\n\n{inline(message, 2000)}\n\n")
        except OSError:
            pass
