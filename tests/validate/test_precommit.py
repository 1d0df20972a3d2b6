"""The pre-commit hook, with the real `pre-commit` tool in a temporary taxonomy repository.

The hook is taken from this checkout's `.pre-commit-hooks.yaml` (its id, name, entry and
`files` pattern) and run as `repo: local` with `language: system`, pointing at the
`sdg-ci` installed beside this interpreter: no network, no hook environment to build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT / "tests" / "fixtures" / "validate" / "taxonomy"
BIN = Path(sys.executable).parent
PRE_COMMIT = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")
SDG_CI = shutil.which("sdg-ci", path=str(BIN))

pytestmark = pytest.mark.skipif(
    not (PRE_COMMIT and SDG_CI and shutil.which("git")),
    reason="needs git, pre-commit and the sdg-ci console script",
)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))}
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(tmp_path),
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


def _run(cmd: list[str], repo: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def repo(tmp_path: Path):
    (hook,) = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "sdg-ci-validate" and hook["entry"].startswith("sdg-ci ")
    local = {
        "id": hook["id"],
        "name": hook["name"],
        "entry": f"{SDG_CI} {hook['entry'].removeprefix('sdg-ci ')}",
        "language": "system",
        "files": hook["files"],
    }
    repo = tmp_path / "taxonomy"
    repo.mkdir()
    env = _env(tmp_path)
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]})
    )
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "."]):
        _run(cmd, repo, env).check_returncode()
    _run([PRE_COMMIT, "install"], repo, env).check_returncode()
    return repo, env


def _add_leaf(repo: Path, env: dict, fixture: str, target: str) -> None:
    shutil.copytree(FIXTURES / fixture, repo / target)
    _run(["git", "add", target], repo, env).check_returncode()


def test_a_bad_leaf_is_refused_and_a_good_one_commits(repo):
    repo, env = repo
    _add_leaf(repo, env, "knowledge/cases/two_qas", "knowledge/tides/short")
    refused = _run(["git", "commit", "-q", "-m", "bad leaf"], repo, env)
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert "sdg-ci validate (taxonomy qna.yaml)" in output and "Failed" in output
    assert (
        "knowledge/tides/short/qna.yaml:10:7: error Q105 seed_examples[0].questions_and_answers "
        "has 2 items; at least 3 are required" in output
    )
    assert _run(["git", "rev-parse", "--verify", "HEAD"], repo, env).returncode != 0

    shutil.copy(FIXTURES / "knowledge/valid/tides/qna.yaml", repo / "knowledge/tides/short")
    _run(["git", "add", "."], repo, env).check_returncode()
    accepted = _run(["git", "commit", "-q", "-m", "good leaf"], repo, env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "Passed" in accepted.stdout + accepted.stderr
    assert _run(["git", "log", "--format=%s"], repo, env).stdout.split() == ["good", "leaf"]


def test_a_misnamed_leaf_is_caught_by_the_files_pattern(repo):
    repo, env = repo
    _add_leaf(repo, env, "compositional_skills/cases/misnamed", "compositional_skills/units")
    refused = _run(["git", "commit", "-q", "-m", "misnamed"], repo, env)
    assert refused.returncode != 0
    assert (
        'compositional_skills/units/qna.yml:1:1: error Q020 taxonomy file must be named "qna.yaml"'
        in refused.stdout + refused.stderr
    )


def test_files_the_hook_does_not_match_are_skipped(repo):
    repo, env = repo
    (repo / "README.md").write_text("# a taxonomy\n")
    _run(["git", "add", "README.md"], repo, env).check_returncode()
    result = _run(["git", "commit", "-q", "-m", "readme"], repo, env)
    assert result.returncode == 0
    assert "(no files to check)Skipped" in (result.stdout + result.stderr).replace(".", "")
