"""A real taxonomy git repository with a pull request, laid out as GitHub Actions sees it.

`origin` holds `main`; `work` is the runner's checkout: a clone (so `origin/main` exists)
at the detached merge commit of the PR branch into main, like actions/checkout does for a
`pull_request` event. The taxonomy lives in a subfolder (`taxonomy/`), with the example
skills of this repository as its content.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "taxonomy" / "compositional_skills"
PLURALS = "compositional_skills/linguistics/irregular_plurals/qna.yaml"
ACTION_ITEMS = "compositional_skills/grounded/extraction/action_items/qna.yaml"
COLLECTIVE = "compositional_skills/linguistics/collective_nouns/qna.yaml"
SUB = "taxonomy"

SETTINGS = {
    "generate": {
        "questions_per_seed": {"preview": 2, "full": 4},
        "contexts_per_seed": {"preview": 1, "full": 2},
        "questions_per_context": 1,
        "give_up_after_s": 5.0,
        "teacher": {"timeout_s": 5.0},
    },
}


def git_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "RUNNER_", "SDG_CI_", "GIT_")) and k != "CI"}
    (home / ".gitconfig").write_text("")
    env.update({
        "HOME": str(home), "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Contributor", "GIT_AUTHOR_EMAIL": "c@example.com",
        "GIT_COMMITTER_NAME": "Contributor", "GIT_COMMITTER_EMAIL": "c@example.com",
    })
    return env


def collective_leaf(seeds: int) -> str:
    nouns = ["geese", "lions", "crows", "fish", "bees", "owls", "whales"]
    groups = ["gaggle", "pride", "murder", "school", "swarm", "parliament", "pod"]
    return yaml.safe_dump({
        "version": 3,
        "created_by": "contributor",
        "task_description": "Name the collective noun for a group of animals.",
        "seed_examples": [
            {"question": f"What is a group of {n} called?", "answer": f"A {g} of {n}."}
            for n, g in list(zip(nouns, groups, strict=True))[:seeds]
        ],
    }, sort_keys=False)


class TaxonomyPR:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        home = tmp / "home"
        home.mkdir()
        self.env = git_env(home)
        self.origin = tmp / "origin"
        self.work = tmp / "work"
        self.root = self.work / SUB
        self.head_sha = ""
        self.base_sha = ""

    def git(self, cwd: Path, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=cwd, env=self.env, check=True,
                              capture_output=True, text=True, timeout=60).stdout.strip()

    def create(self) -> TaxonomyPR:
        tax = self.origin / SUB
        tax.mkdir(parents=True)
        self.git(self.origin, "init", "-q", "-b", "main")
        shutil.copytree(EXAMPLES, tax / "compositional_skills")
        (tax / ".sdg-ci.yaml").write_text(yaml.safe_dump(SETTINGS))
        (self.origin / ".gitignore").write_text(".sdg-ci-cache/\nsdg-ci-out/\n")
        self.git(self.origin, "add", "-A")
        self.git(self.origin, "commit", "-q", "-m", "taxonomy")
        self.git(self.origin, "config", "receive.denyCurrentBranch", "ignore")
        self.git(self.tmp, "clone", "-q", str(self.origin), str(self.work))
        self.git(self.work, "checkout", "-q", "-b", "feature")
        # the PR: one leaf modified, one added (invalid: 3 seeds, no attribution), one deleted
        plurals = self.root / PLURALS
        plurals.write_text(plurals.read_text().replace(
            'What is the plural of "mouse"?', 'What is the plural of "mouse", the animal?'))
        (self.root / COLLECTIVE).parent.mkdir(parents=True)
        (self.root / COLLECTIVE).write_text(collective_leaf(3))
        shutil.rmtree((self.root / ACTION_ITEMS).parent)
        self.commit_and_merge("Change plurals, add collective nouns, drop action items")
        return self

    def fix_collective_leaf(self) -> None:
        self.git(self.work, "checkout", "-q", "feature")
        (self.root / COLLECTIVE).write_text(collective_leaf(6))
        (self.root / COLLECTIVE).with_name("attribution.txt").write_text(
            "Title of work: collective nouns\nLicense: CC BY-SA 4.0\nCreator names: c\n")
        self.commit_and_merge("Fix collective nouns")

    def commit_and_merge(self, message: str) -> None:
        self.git(self.work, "add", "-A")
        self.git(self.work, "commit", "-q", "-m", message)
        self.git(self.work, "push", "-q", "origin", "feature")
        self.head_sha = self.git(self.work, "rev-parse", "HEAD")
        self.base_sha = self.git(self.work, "rev-parse", "origin/main")
        # what actions/checkout gives a pull_request job: the merge commit, detached
        self.git(self.work, "checkout", "-q", "--detach", "origin/main")
        self.git(self.work, "merge", "-q", "--no-ff", "-m", "Merge feature into main",
                 "feature")

    def event(self, number: int, action: str = "opened", fork: bool = False) -> Path:
        path = self.tmp / f"event-{number}-{action}.json"
        head_repo = "contributor/taxonomy" if fork else "octo/taxonomy"
        path.write_text(json.dumps({
            "action": action,
            "number": number,
            "pull_request": {
                "number": number,
                "head": {"sha": self.head_sha, "ref": "feature",
                         "repo": {"full_name": head_repo, "fork": fork}},
                "base": {"sha": self.base_sha, "ref": "main",
                         "repo": {"full_name": "octo/taxonomy"}},
            },
            "repository": {"full_name": "octo/taxonomy", "default_branch": "main"},
        }))
        return path
