"""What GitHub Actions tells a step through its environment and event payload."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdg_ci.records.check import PullRequestInfo
from sdg_ci.settings import default_pr_base, in_github_actions


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
            actions=in_github_actions(environ),
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
        """The pull request: the `pr-number` input (SDG_CI_PR_NUMBER) first, else the
        event's."""
        return _number(self.pr_number_override) or self._event_pr_number()

    def pr_number_from_input(self) -> bool:
        """The number came from an input (e.g. an artifact of the PR's own run), not from
        GitHub's event payload: publishing must check it names the PR this run is for."""
        given = _number(self.pr_number_override)
        return given is not None and given != self._event_pr_number()

    def _event_pr_number(self) -> int | None:
        candidates: list[Any] = [self._pr().get("number")]
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
            number = _number(value)
            if number is not None:
                return number
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
        return default_pr_base(self.pr_base_ref())

    def run_url(self) -> str | None:
        if self.repository and self.run_id:
            return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"
        return None

    def pull_request_info(self) -> PullRequestInfo:
        return PullRequestInfo(
            server_url=self.server_url,
            repository=self.repository,
            number=self.pr_number(),
            head_sha=self.head_sha(),
            base_ref=self.pr_base_ref(),
            run_url=self.run_url(),
        )


def _number(value: Any) -> int | None:
    """A plausible pull request number, or None."""
    if value is None:
        return None
    text = str(value).strip()
    return int(text) if text.isdigit() and 0 < int(text) < 10**9 else None
