"""Balance across the taxonomy: five leaves at `--scale full`, before and after balancing.

The five leaves of issue 9: a freeform skill with 20 seeds, a grounded skill with 5, a
freeform skill with 5, a knowledge leaf on a ~3,300-word document and one on a ~120-word
document. Both builds run in this process against the local OpenAI-compatible test server
(tests/support/openai_server.py, in-process, 127.0.0.1):

- baseline: every kept row goes to train.jsonl (no target, no top-up), as builds did before;
- balanced: the default settings (target 100 rows per leaf at full scale, top-up rounds).

Prints rows per leaf for both, the largest/smallest ratio (leaves not short), Gini, the
model requests, and checks the Done-means: non-short leaves at >= target and within 1.25x,
at most the 120-word leaf short, no duplicate rows, balance.json agreeing with train.jsonl.
Usage: python bench/balance_bench.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "support"), str(REPO / "tests" / "generate")]

from gen_taxonomy import make_doc_repo, skill_seeds, write_leaf  # noqa: E402
from openai_server import FakeOpenAI  # noqa: E402

from sdg_ci.build import build_dataset  # noqa: E402
from sdg_ci.config import Config  # noqa: E402
from sdg_ci.taxonomy.leaf import taxonomy_path  # noqa: E402

FREE20 = "compositional_skills/writing/haiku/qna.yaml"
GROUNDED5 = "compositional_skills/extraction/dates/qna.yaml"
FREE5 = "compositional_skills/writing/limerick/qna.yaml"
LONG_DOC = "knowledge/science/oceans/qna.yaml"
SHORT_DOC = "knowledge/science/tides/qna.yaml"
LEAVES = {FREE20: "freeform skill, 20 seeds", GROUNDED5: "grounded skill, 5 seeds",
          FREE5: "freeform skill, 5 seeds", LONG_DOC: "knowledge, ~3,300-word document",
          SHORT_DOC: "knowledge, ~120-word document"}
TOPICS = ("salinity currents upwelling thermocline plankton reefs trenches ridges estuaries "
          "mangroves kelp icebergs monsoons gyres tsunamis sediments lagoons atolls fjords "
          "deltas").split()


def document(words: int, title: str) -> str:
    """Markdown of about `words` words: one section per topic, varied sentences."""
    sections, count, i = [f"# {title}\n"], 0, 0
    while count < words:
        topic = TOPICS[i % len(TOPICS)]
        body = []
        for s in range(8):
            sentence = (f"The {topic} of region {i}-{s} shape how water moves, how heat is "
                        f"stored and how life near the coast responds over season {s + 1}.")
            body.append(sentence)
            count += len(sentence.split())
            if count >= words:
                break
        sections.append(f"## {topic.capitalize()} ({i + 1})\n\n" + " ".join(body) + "\n")
        i += 1
    return "\n".join(sections)


def knowledge_leaf(root: Path, rel: str, words: int, name: str) -> None:
    repo, commit = make_doc_repo(root.parent / f"docs-{name}", document(words, name))
    write_leaf(root, rel, {
        "version": 3, "created_by": "bench", "domain": "oceanography",
        "document_outline": f"An overview of {name}: currents, coasts and the life in them",
        "seed_examples": [{
            "context": f"The {TOPICS[k]} of region {k}-0 shape how water moves.",
            "questions_and_answers": [
                {"question": f"What do the {TOPICS[k]} of region {k}-0 shape, point {j}?",
                 "answer": "How water moves."} for j in range(3)]} for k in range(5)],
        "document": {"repo": repo, "commit": commit, "patterns": ["*.md"]}})


def make_taxonomy(root: Path) -> None:
    write_leaf(root, FREE20, {"version": 3, "created_by": "bench",
                              "task_description": "Write a haiku about the topic given.",
                              "seed_examples": skill_seeds(20)})
    write_leaf(root, GROUNDED5, {"version": 3, "created_by": "bench",
                                 "task_description": "List the dates in a memo.",
                                 "seed_examples": skill_seeds(5, grounded=True)})
    limericks = [{"question": f"Write a limerick about a {w} who lived by the sea.",
                  "answer": f"A {w} by the sea\nonce said with glee\nthere's room here for me"}
                 for w in ("cat", "sailor", "baker", "poet", "whale")]
    write_leaf(root, FREE5, {"version": 3, "created_by": "bench",
                             "task_description": "Write a limerick.",
                             "seed_examples": limericks})
    knowledge_leaf(root, LONG_DOC, 3300, "oceans")
    knowledge_leaf(root, SHORT_DOC, 120, "tides")
    for rel in LEAVES:
        (root / rel).parent.joinpath("attribution.txt").write_text(
            "Title: bench\nLink: https://example.com\nLicense: CC-BY-4.0\nCreator: bench\n")
    git = ["git", "-c", "user.name=b", "-c", "user.email=b@e", "-C", str(root)]
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "five leaves"], check=True)


def config(url: str, cache: Path, **build: object) -> Config:
    data: dict = {"generate": {"teacher": {"url": url, "model": "sim", "max_concurrency": 32},
                               "cache_dir": str(cache)}}
    if build:
        data["build"] = build
    return Config.model_validate(data)


def rows_per_leaf(dataset: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with open(dataset / "train.jsonl", encoding="utf-8") as f:
        for line in f:
            leaf = json.loads(line)["metadata"]["leaf"]
            counts[leaf] = counts.get(leaf, 0) + 1
    return counts


def main() -> int:
    server = FakeOpenAI().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "taxonomy"
            make_taxonomy(root)
            base_ds, bal_ds = Path(tmp) / "baseline", Path(tmp) / "balanced"
            t0 = time.perf_counter()
            base = build_dataset(root, base_ds, config=config(
                server.url, Path(tmp) / "cache", targets={"full": 10**9, "preview": 10**9},
                max_rounds=0), progress=False)
            t1 = time.perf_counter()
            bal = build_dataset(root, bal_ds, config=config(server.url, Path(tmp) / "cache2"),
                                progress=False)
            t2 = time.perf_counter()
            before, after = rows_per_leaf(base_ds), rows_per_leaf(bal_ds)
            report = json.loads((bal_ds / "balance.json").read_text())
            train = (bal_ds / "train.jsonl").read_text().splitlines()
            users = [json.dumps(json.loads(x)["messages"]) for x in train]
    finally:
        server.stop()

    print("balance bench: 5 leaves, --scale full, local test server (in process)")
    print(f"{'leaf':<36} {'baseline':>8} {'balanced':>8} {'target':>6} {'rounds':>6}  reason")
    for rel, label in LEAVES.items():
        line = report["leaves"][taxonomy_path(rel)]
        print(f"{label:<36} {before.get(taxonomy_path(rel), 0):>8} "
              f"{after.get(taxonomy_path(rel), 0):>8} {line['target']:>6} {line['rounds']:>6}  "
              f"{line['reason']}")
    spread_before = max(before.values()) / max(1, min(before.values()))
    stats = report["stats"]
    print(f"largest/smallest: baseline {spread_before:.1f}x (all leaves), balanced "
          f"{stats['max_min_spread_not_short']}x (leaves not short), {stats['max_min_spread']}x "
          "(all leaves)")
    print(f"gini: balanced {stats['gini']}; largest share {stats['largest_share']}")
    print(f"model requests: baseline {base.requests}, balanced {bal.requests} "
          f"(top-up rounds {bal.topup.rounds if bal.topup else 0}); wall {t1 - t0:.1f} s / "
          f"{t2 - t1:.1f} s")

    short = [p for p, b in report["leaves"].items() if b["short_by"] > 0]
    met = [b for b in report["leaves"].values() if b["short_by"] == 0]
    checks = {
        "non-short leaves at >= target": all(b["rows"] >= b["target"] for b in met),
        "largest/smallest <= 1.25 (not short)":
            (stats["max_min_spread_not_short"] or 0) <= 1.25,
        "at most the 120-word leaf short": set(short) <= {taxonomy_path(SHORT_DOC)},
        "no duplicate rows in train.jsonl": len(users) == len(set(users)),
        "balance.json rows == train.jsonl": all(
            b["rows"] == after.get(p, 0) for p, b in report["leaves"].items())
        and sum(after.values()) == len(train),
    }
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
