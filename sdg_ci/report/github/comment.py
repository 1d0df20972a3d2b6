"""The sticky PR comment: one per pull request (and taxonomy path), found again by a hidden
marker at its start and updated in place on every push.

The listing is paginated; only a comment written by a bot or by someone with write access
counts, so a contributor cannot plant the marker and have the summary overwrite their
comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sdg_ci.report.github.rest import GitHubApiError, GitHubClient

MARKER_PREFIX = "<!-- sdg-ci:pr-summary"
COMMENT_LIMIT = 65536
# who may own the comment we update: a bot (github-actions[bot], an app) or a writer
TRUSTED_ASSOCIATIONS = {"OWNER", "MEMBER", "COLLABORATOR"}


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
