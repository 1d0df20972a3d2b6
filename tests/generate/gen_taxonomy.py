"""Small taxonomies and configs for the generation tests (one leaf of each kind)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from sdg_ci.config import Config

FREEFORM = "compositional_skills/writing/haiku/qna.yaml"
GROUNDED = "compositional_skills/extraction/dates/qna.yaml"
KNOWLEDGE = "knowledge/science/tides/qna.yaml"

DOC = """# Tides

Tides are the regular rise and fall of the sea. They are caused mainly by the Moon's gravity
pulling on the oceans, with a smaller pull from the Sun.

## Spring and neap tides

When the Sun, Moon and Earth line up, at new and full moon, their pulls add up and the tidal
range is largest: these are spring tides. At the quarter moons the pulls partly cancel and
the range is smallest: these are neap tides.

## Tidal range

The difference between high and low water is the tidal range. The Bay of Fundy in Canada has
the largest tidal range in the world, up to 16 metres.
"""


TOPICS = ("Moon", "Sun", "Bay of Fundy", "tide tables", "tidal bores", "tide pools",
          "tidal power", "storm surges")
# Eight sections of about one 60-token chunk each: a knowledge leaf a Ray build splits
LONG_DOC = "# Tides in depth\n\n" + "\n\n".join(
    f"## Part {n + 1}: the {topic}\n\nThis part is about the {topic} and the tides. "
    f"Observers of the {topic} recorded {n + 3} findings over {10 * (n + 2)} years, "
    f"measured the water at {n + 4} stations along the coast and wrote the results in "
    f"a register that sailors still read before they leave the harbour near the {topic}."
    for n, topic in enumerate(TOPICS)) + "\n"


def skill_seeds(n: int, grounded: bool = False) -> list[dict]:
    seeds = []
    for i in range(n):
        weather = ["rain", "wind", "snow", "sun", "fog"][i % 5]
        seed = {"question": f"Write a haiku about season number {i} and its {weather}.",
                "answer": f"Line one of poem {i}\nline two is longer here\nline three ends it"}
        if grounded:
            seed = {"context": f"Memo {i}: the audit is due on {i + 1} March; the review "
                               f"follows on {i + 10} April.",
                    "question": f"List every date in memo {i} with its event.",
                    "answer": f"- {i + 1} March: audit\n- {i + 10} April: review"}
        seeds.append(seed)
    return seeds


def write_leaf(root: Path, rel: str, data: dict) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def make_doc_repo(where: Path, text: str = DOC) -> tuple[str, str]:
    """A local git repository holding tides.md; returns (path, commit)."""
    where.mkdir(parents=True, exist_ok=True)
    (where / "tides.md").write_text(text, encoding="utf-8")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "HOME": str(where), "GIT_CONFIG_NOSYSTEM": "1",
           "PATH": "/usr/bin:/bin:/usr/local/bin"}

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=where, env=env, check=True,
                              capture_output=True, text=True).stdout.strip()

    git("init", "-q", "-b", "main")
    git("add", "tides.md")
    git("commit", "-q", "-m", "doc")
    return str(where), git("rev-parse", "HEAD")


def make_taxonomy(root: Path, seeds: int = 2, knowledge: bool = True,
                  doc: str = DOC) -> list[str]:
    write_leaf(root, FREEFORM, {
        "version": 3, "created_by": "tester",
        "task_description": "Write a haiku about the topic given.",
        "seed_examples": skill_seeds(seeds)})
    write_leaf(root, GROUNDED, {
        "version": 3, "created_by": "tester",
        "task_description": "List the dates in a memo with their events.",
        "seed_examples": skill_seeds(seeds, grounded=True)})
    leaves = [FREEFORM, GROUNDED]
    if knowledge:
        repo, commit = make_doc_repo(root.parent / "docs-repo", doc)
        write_leaf(root, KNOWLEDGE, {
            "version": 3, "created_by": "tester", "domain": "oceanography",
            "document_outline": "Tides and what causes them",
            "seed_examples": [{
                "context": "Tides are caused by the Moon's gravity." + " Really." * i,
                "questions_and_answers": [
                    {"question": f"What causes tides, part {k}?" + " Why?" * i,
                     "answer": "Mainly the Moon's gravity."} for k in range(3)]}
                for i in range(max(seeds, 1))],
            "document": {"repo": repo, "commit": commit, "patterns": ["*.md"]}})
        leaves.append(KNOWLEDGE)
    return leaves


def make_config(url: str, cache_dir: Path, client: str = "auto", **generate) -> Config:
    """Teacher and critic at `url`; quick retries so fault tests stay fast."""
    settings = {
        "teacher": {"url": url, "model": "fake-model", "timeout_s": 2.0, "max_concurrency": 8,
                    "client": client},
        "cache_dir": str(cache_dir),
        "questions_per_seed": {"preview": 3, "full": 6},
        "contexts_per_seed": {"preview": 2, "full": 3},
        "questions_per_chunk": {"preview": 2, "full": 4},
        "questions_per_context": 2,
        "give_up_after_s": 5.0,
        "retry_backoff_s": 0.05,
    }
    settings.update(generate)
    return Config.model_validate({"generate": settings, "documents": {"chunk_tokens": 60}})
