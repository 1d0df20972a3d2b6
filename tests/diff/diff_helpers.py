"""Helpers for the diff tests: leaf texts and a scratch git repository."""

from __future__ import annotations

SKILL = """version: 2
task_description: {desc}
created_by: tester
seed_examples:
  - question: What is {desc}?
    answer: It is {desc}.
"""

KNOWLEDGE = """version: 3
domain: science
created_by: tester
seed_examples:
  - context: {desc} is a topic.
    questions_and_answers:
      - question: What is {desc}?
        answer: A topic.
document_outline: {desc}
document:
  repo: {repo}
  commit: {commit}
  patterns:
{patterns}
"""


def skill(desc: str = "a skill") -> str:
    return SKILL.format(desc=desc)


def knowledge(desc="physics", repo="https://example.com/docs", commit="abc123",
              patterns=("*.md",)) -> str:
    pats = "\n".join(f"    - '{p}'" for p in patterns)
    return KNOWLEDGE.format(desc=desc, repo=repo, commit=commit, patterns=pats)


