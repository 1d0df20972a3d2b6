"""The sticky PR comment: one per pull request (and taxonomy path), found again by a hidden
marker at its start and updated in place on every push.

The listing is paginated; only a comment written by the identity the token belongs to
counts (`GET /user`; the Actions `GITHUB_TOKEN`, an app installation token, may not read
that and writes as `github-actions[bot]`), so neither a contributor nor another bot or
maintainer can plant the marker and have the summary overwrite their comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sdg_ci.report.github.rest import GitHubApiError, GitHubClient

MARKER_PREFIX = "<!-- sdg-ci:pr-summary"
COMMENT_LIMIT = 65536
# who writes with the Actions GITHUB_TOKEN (an installation token cannot read GET /user)
ACTIONS_BOT = "github-actions[bot]"


def marker(key: str = "") -> str:
    """The hidden marker that finds this tool's comment again (one per taxonomy path)."""
    safe = re.sub(r"[^A-Za-z0-9._/]+", "_", key).strip("_")
    return f"{MARKER_PREFIX}{':' + safe if safe else ''} -->"


def token_identity(client: GitHubClient) -> str:
    """The login of whoever the token belongs to: `GET /user`; for an installation token
    that may not read it (HTTP 403), the Actions bot it writes as."""
    try:
        data, _ = client.request("GET", "/user")
    except GitHubApiError as exc:
        if exc.status == 403:
            return ACTIONS_BOT
        raise
    login = data.get("login") if isinstance(data, dict) else None
    if not isinstance(login, str) or not login:
        raise GitHubApiError(0, "GET /user did not name the token's user")
    return login


def pr_head_mismatch(
    client: GitHubClient, repository: str, number: int, expected_sha: str | None
) -> str | None:
    """Why PR #number is not the pull request this run checked (its head commit is not
    `expected_sha`), or None when it is. For a number that came from an input: a fork
    must not get another PR's comment overwritten."""
    if not expected_sha:
        return f"cannot tell whether PR #{int(number)} is the one checked: no head commit known"
    try:
        data, _ = client.request("GET", f"/repos/{repository}/pulls/{int(number)}")
    except GitHubApiError as exc:
        return f"cannot read PR #{int(number)} to check its head commit ({exc})"
    head = (data.get("head") or {}) if isinstance(data, dict) else {}
    sha = head.get("sha") if isinstance(head, dict) else None
    if sha != expected_sha:
        shown = sha[:12] if isinstance(sha, str) else "unknown"
        return (
            f"PR #{int(number)} has head commit {shown}, but this run checked "
            f"{expected_sha[:12]}: the pull request number (an input) does not match"
        )
    return None


def _owned(comment: dict, mark: str, owner: str) -> bool:
    """Our comment: it starts with the marker and the token's identity wrote it."""
    body = comment.get("body") or ""
    if not isinstance(body, str) or not body.lstrip().startswith(mark):
        return False
    user = comment.get("user") or {}
    return isinstance(user, dict) and user.get("login") == owner


@dataclass
class CommentResult:
    action: str  # created | updated
    id: int
    url: str | None


def upsert_comment(
    client: GitHubClient,
    repository: str,
    number: int,
    body: str,
    mark: str,
    owner: str | None = None,
) -> CommentResult:
    """Create the PR's summary comment, or update the one already there in place.

    `owner`: the login whose comment may be updated (default: the token's identity)."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
        raise GitHubApiError(0, f"not a repository name: {repository!r}")
    owner = owner or token_identity(client)
    existing = None
    for comment in client.paginate(f"/repos/{repository}/issues/{int(number)}/comments"):
        if isinstance(comment, dict) and _owned(comment, mark, owner):
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
    """The marker, then the markdown, cut to GitHub's comment size limit."""
    body = f"{mark}\n{markdown}"
    if len(body) > limit:  # render() keeps well under; this is the last guard
        body = body[: limit - 200].rsplit("\n", 1)[0] + "\n\n_(cut: the comment size limit)_\n"
    return body
