"""Helpers for the build tests: a scratch git taxonomy and a stand-in generation engine."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from sdg_ci.records.run import LeafSummary, RunSummary, Usage
from sdg_ci.taxonomy.leaf import taxonomy_path


def skill(*questions: str) -> str:
    seeds = "".join(f"  - question: {q}\n    answer: Answer to {q}\n" for q in questions)
    return f"version: 2\ntask_description: test\ncreated_by: tester\nseed_examples:\n{seeds}"


def knowledge(commit: str = "abc123", *questions: str) -> str:
    qs = questions or ("What is it?",)
    qa = "".join(f"      - question: {q}\n        answer: A.\n" for q in qs)
    return (
        "version: 3\ndomain: science\ncreated_by: tester\nseed_examples:\n"
        f"  - context: Some context.\n    questions_and_answers:\n{qa}"
        "document_outline: outline\n"
        f"document:\n  repo: https://example.com/docs\n  commit: {commit}\n"
        "  patterns:\n    - '*.md'\n"
    )


def seed_questions(data: object) -> list[str]:
    questions = []
    for example in (data or {}).get("seed_examples", []):
        if "question" in example:
            questions.append(example["question"])
        for qa in example.get("questions_and_answers", []):
            questions.append(qa["question"])
    return questions


class FakeGenerate:
    """Stands in for sdg_ci.generate.runner.generate with its signature and its output layout:
    out_dir/<taxonomy path>/pairs.jsonl (one pair per seed question, one "model request"
    per pair) and out_dir/summary.json. `fail` leaves report an error and write nothing;
    `raise_on` makes the whole call fail."""

    def __init__(self, fail: tuple[str, ...] = (), raise_on: bool = False):
        self.calls: list[dict] = []
        self.fail = set(fail)
        self.raise_on = raise_on

    @property
    def generated(self) -> list[str]:
        return [path for call in self.calls for path in call["leaf_files"]]

    def __call__(self, root, leaf_files, config, out_dir, statuses=None, progress=True):
        self.calls.append({"leaf_files": list(leaf_files), "statuses": dict(statuses or {}),
                           "scale": config.generate.scale})
        if self.raise_on:
            raise RuntimeError("teacher exploded")
        summary = RunSummary(scale=config.generate.scale)
        for rel in leaf_files:
            leaf = LeafSummary(path=rel, kind="knowledge" if rel.startswith("knowledge/")
                               else "freeform_skill", status=(statuses or {}).get(rel, "?"))
            if rel in self.fail:
                leaf.errors = 1
                summary.leaves.append(leaf)
                continue
            data = yaml.safe_load((Path(root) / rel).read_text())
            records = [
                {"messages": [{"role": "user", "content": f"{q} (generated)"},
                              {"role": "assistant", "content": f"generated answer to {q}"}],
                 "metadata": {"leaf": taxonomy_path(rel), "leaf_file": rel}}
                for q in seed_questions(data)
            ]
            folder = Path(out_dir) / taxonomy_path(rel)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
            leaf.data_file = f"{taxonomy_path(rel)}/pairs.jsonl"
            leaf.pairs_kept = len(records)
            leaf.usage = Usage(requests=len(records))
            summary.leaves.append(leaf)
        summary.usage = Usage(requests=sum(leaf.usage.requests for leaf in summary.leaves))
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "summary.json").write_text(summary.model_dump_json())
        return summary
