"""Publishing a check to GitHub: PR comment, job summary, step outputs, annotations.

One concept a module: `env` (what the Actions environment says), `commands` (workflow
commands: annotations, masks, step outputs), `rest` (the REST client), `comment` (the
sticky PR comment) and `publish` (putting a check in all those places). The names below are
re-exported so callers say `from sdg_ci.report.github import publish`.

Plain REST over HTTP (`urllib.request`, no client library): the token comes from the
environment (`GITHUB_TOKEN`), the base URL from `GITHUB_API_URL` (GitHub Enterprise, and the
tests' local server). The token is never printed, logged or put in an error message, and is
only ever sent to the origin of `GITHUB_API_URL`.
"""

from sdg_ci.report.github.commands import (
    add_mask,
    annotation,
    mask_secrets,
    workflow_command,
    write_outputs,
)
from sdg_ci.report.github.comment import (
    COMMENT_LIMIT,
    MARKER_PREFIX,
    CommentResult,
    comment_body,
    marker,
    upsert_comment,
)
from sdg_ci.report.github.env import GitHubEnv
from sdg_ci.report.github.publish import (
    check_annotations,
    check_outputs,
    publish,
    publish_failure,
)
from sdg_ci.report.github.rest import GitHubApiError, GitHubClient

__all__ = [
    "COMMENT_LIMIT",
    "MARKER_PREFIX",
    "CommentResult",
    "GitHubApiError",
    "GitHubClient",
    "GitHubEnv",
    "add_mask",
    "annotation",
    "check_annotations",
    "check_outputs",
    "comment_body",
    "marker",
    "mask_secrets",
    "publish",
    "publish_failure",
    "upsert_comment",
    "workflow_command",
    "write_outputs",
]
