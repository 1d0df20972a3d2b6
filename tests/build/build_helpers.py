"""Helpers for the build tests: a scratch git taxonomy and a stand-in generation engine."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from sdg_ci.records.run import LeafSummary, RunSummary, Usage
from sdg_ci.taxonomy.leaf import taxonomy_path

PAD = "Padding example"  # seed questions the stand-in engine makes no pair for

# what the build tests run under: valid leaves need no attribution.txt beside them, and
# no top-up round (the stand-in engine yields the same rows every time)
LENIENT = {"validate": {"rules": {"Q030": "off"}}, "build": {"max_rounds": 0}}
LENIENT_YAML = "validate:\n  rules:\n    Q030: 'off'\nbuild:\n  max_rounds: 0\n"


def lenient_config():
    from sdg_ci.config import Config

    return Config.model_validate(LENIENT)


def skill(*questions: str) -> str:
    """A valid skill leaf with these seed questions (padded to 5 with ones the stand-in
    engine ignores)."""
    first = questions[0] if questions else "q"
    padded = list(questions) + [f"{PAD} {i} after {first}" for i in range(5 - len(questions))]
    seeds = "".join(f"  - question: {q}\n    answer: Answer to {q}\n" for q in padded)
    return f"version: 3\ntask_description: test\ncreated_by: tester\nseed_examples:\n{seeds}"


def knowledge(commit: str = "abc123", *questions: str) -> str:
    """A valid knowledge leaf: these questions in the first of 5 seed examples."""
    qs = list(questions or ("What is it?",))
    examples = [qs + [f"{PAD} {j} after {qs[0]}" for j in range(3 - len(qs))]]
    examples += [[f"{PAD} {i}.{j} after {qs[0]}" for j in range(3)] for i in range(4)]
    body = ""
    for n, group in enumerate(examples):
        qa = "".join(f"      - question: {q}\n        answer: A.\n" for q in group)
        body += f"  - context: Some context number {n}.\n    questions_and_answers:\n{qa}"
    return (
        "version: 3\ndomain: science\ncreated_by: tester\nseed_examples:\n" + body
        + "document_outline: an outline of the document that is long enough to pass\n"
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
    return [q for q in questions if not str(q).startswith(PAD)]


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

    def __call__(self, root, leaf_files, config, out_dir, statuses=None, progress=True,
                 asked=None):
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
