"""The one way sdg_ci runs git: an argument list (never a shell), a timeout, and hardening.

Every call gets the same hardening options, whatever repository it touches:
- `protocol.allow=never` plus an allow-list of transports (and `GIT_ALLOW_PROTOCOL`), so
  `ext::`, `fd::` and other command-running transports never run;
- hooks off (`core.hooksPath=/dev/null`), no fsmonitor (it runs a configured command), no
  credential helper, no terminal prompts, no submodule recursion, no automatic gc.

Two kinds of repository, two environments:
- `isolated=True` (the default; sdg_ci's own cache repositories, e.g. fetched documents):
  inherited `GIT_*` variables are dropped and system/global git config is ignored, so no
  `url.insteadOf` rewrite, credential helper or `GIT_DIR` from the caller applies;
- `isolated=False` (the user's checkout: diff, HEAD lookup): the user's environment and
  config stay as they are, so git sees the repository the user sees (`safe.directory`
  from global config still counts, `GIT_INDEX_FILE` under a hook still applies).

This module sits at the bottom of the import graph: stdlib and `sdg_ci.errors` only.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from sdg_ci.errors import SdgCiError

__all__ = [
    "USER_REPO_PROTOCOLS",
    "GitError",
    "git_text",
    "hardening_options",
    "isolated_env",
    "run_git",
    "stderr_summary",
    "user_repo_git_text",
]

# what a user's own remotes may use (git's "known safe" transports plus local paths)
USER_REPO_PROTOCOLS: tuple[str, ...] = ("file", "git", "http", "https", "ssh")


class GitError(SdgCiError):
    """git ran and failed (or could not run); the message holds git's last stderr lines."""

    def __init__(self, message: str, *, args: Sequence[str] = (), returncode: int | None = None,
                 stderr: str = ""):
        super().__init__(message)
        self.git_args = list(args)
        self.returncode = returncode
        self.stderr = stderr


def _protocol_list(protocol: str | Sequence[str]) -> list[str]:
    return [protocol] if isinstance(protocol, str) else list(protocol)


def hardening_options(protocol: str | Sequence[str] = "file") -> list[str]:
    """The `-c` options every git call gets (before any subcommand)."""
    options = ["-c", "protocol.allow=never"]
    for name in _protocol_list(protocol):
        options += ["-c", f"protocol.{name}.allow=always"]
    for setting in (
        f"core.hooksPath={os.devnull}",
        "core.fsmonitor=false",
        "credential.helper=",
        "submodule.recurse=false",
        "fetch.recurseSubmodules=false",
        "commit.gpgSign=false",
        "gc.auto=0",
        "maintenance.auto=false",
    ):
        options += ["-c", setting]
    return options


def isolated_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without `GIT_*` and ssh agent variables, with no
    system/global git config, no prompts and no replace refs."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GIT_") and k not in ("SSH_ASKPASS", "SSH_AUTH_SOCK")}
    env.update({
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_PROTOCOL_FROM_USER": "0",
        "LC_ALL": "C",
    })
    env.update(extra or {})
    return env


def _user_env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    env.update(extra or {})
    return env


def run_git(
    args: Sequence[str],
    *,
    cwd: str | os.PathLike | None = None,
    git_dir: str | os.PathLike | None = None,
    protocol: str | Sequence[str] = "file",
    timeout: float = 60,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    safe_dirs: Sequence[str] = (),
    isolated: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """Run `git <args>` hardened; stdout and stderr are bytes. A non-zero exit is returned,
    not raised (see `git_text`); raises subprocess.TimeoutExpired and OSError."""
    protocols = _protocol_list(protocol)
    cmd = ["git", *hardening_options(protocols)]
    if isolated:
        cmd += ["-c", "core.symlinks=false"]
    for folder in safe_dirs:
        cmd += ["-c", f"safe.directory={folder}"]
    if git_dir is not None:
        cmd.append(f"--git-dir={git_dir}")
    cmd += list(args)
    extra = dict(env or {})
    extra["GIT_ALLOW_PROTOCOL"] = ":".join(protocols)
    run_env = isolated_env(extra) if isolated else _user_env(extra)
    # git never reads sdg_ci's own stdin (a terminal, a pipe of another tool)
    stdin = subprocess.DEVNULL if input is None else None
    return subprocess.run(cmd, cwd=cwd, input=input, stdin=stdin, capture_output=True,
                          timeout=timeout, env=run_env, check=False)


def stderr_summary(proc: subprocess.CompletedProcess) -> str:
    """git's last three stderr lines (hints dropped), joined on one line."""
    raw = proc.stderr or b""
    text = (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("hint:")]
    return " / ".join(lines[-3:]) or f"git exited with status {proc.returncode}"


def git_text(args: Sequence[str], *, cwd: str | os.PathLike | None = None,
             git_dir: str | os.PathLike | None = None, timeout: float = 60,
             isolated: bool = True, protocol: str | Sequence[str] = "file",
             env: Mapping[str, str] | None = None) -> str:
    """git's stdout as stripped text; any failure (exit status, timeout, no git) is a
    GitError naming the command."""
    label = f"git {args[0]}" if args else "git"
    try:
        proc = run_git(args, cwd=cwd, git_dir=git_dir, timeout=timeout, isolated=isolated,
                       protocol=protocol, env=env)
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"{label} took longer than {timeout:g} s", args=args) from exc
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}", args=args) from exc
    if proc.returncode != 0:
        summary = stderr_summary(proc)
        raise GitError(f"{label} failed: {summary}", args=args, returncode=proc.returncode,
                       stderr=summary)
    return proc.stdout.decode("utf-8", "surrogateescape").strip()


def user_repo_git_text(root: Path, *args: str, timeout: float = 30) -> str | None:
    """stdout of git run in the user's checkout at `root`, or None when git fails."""
    try:
        return git_text(list(args), cwd=root, timeout=timeout, isolated=False,
                        protocol=USER_REPO_PROTOCOLS)
    except GitError:
        return None
