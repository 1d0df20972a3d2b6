#!/usr/bin/env python3
"""How the HTML report copes with a large run: 50,000 rows, opened and filtered in Chromium.

Writes a synthetic output folder (summary.json and per-leaf JSONL shaped as `sdg-ci
generate` writes them, realistic text lengths), times `write_html_report`, then opens the
page in the system's headless Chromium over the DevTools protocol and times: load until the
page is ready (parse + first render), each filter a reviewer would use (leaf, stage, reason
class, rating, a text search over every row, paging) as the main-thread time of one update,
and the JS heap. A filter under ~100 ms reads as instant; the page never renders more than
one page of rows, so the cost is the filter scan, not the DOM.

    python bench/html_report_bench.py [--rows 50000] [--leaves 40]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests" / "report_html")]

from chromium_driver import DevTools, find_chromium, page_url  # noqa: E402

from sdg_ci.records.run import LeafSummary, RunSummary, StageCount  # noqa: E402
from sdg_ci.report.html import write_html_report  # noqa: E402

WORDS = ("river mountain engine garden violin comet ledger harbor lantern falcon meadow copper "
         "glacier orchard pigeon quartz saddle tunnel walnut yacht anchor basket candle desert "
         "ember feather goblet hammer island jacket kettle ladder marble needle oyster").split()


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def make_run(out: Path, rows: int, leaves: int, seed: int = 7) -> int:
    """A run folder with `rows` rows over `leaves` leaves (3 in 4 kept); returns rows."""
    rng = random.Random(seed)
    summaries = []
    per_leaf = rows // leaves
    for n in range(leaves):
        kind = ("freeform_skill", "grounded_skill", "knowledge")[n % 3]
        top = "knowledge" if kind == "knowledge" else "compositional_skills"
        folder = f"{top}/area_{n % 7}/leaf_{n}"
        kept, rejected = [], []
        histogram = {"1": 0, "2": 0, "3": 0}
        for i in range(per_leaf):
            rating = rng.choice((1, 2, 3, 3))
            histogram[str(rating)] += 1
            question = sentence(rng, rng.randint(8, 20)).rstrip(".") + "?"
            answer = " ".join(sentence(rng, rng.randint(6, 14)) for _ in range(rng.randint(2, 6)))
            meta = {"leaf": folder, "leaf_file": f"{folder}/qna.yaml", "kind": kind,
                    "row_id": f"s{i % 9}-q{i}", "seed_index": i % 9, "scores": {
                        "question_critic": {"verdict": "keep", "reason": "clear and answerable"},
                        "pair_rating": {"rating": rating, "reason": f"rated {rating}"}}}
            if rating >= 2 and rng.random() < 0.85:
                kept.append({"messages": [{"role": "user", "content": question},
                                          {"role": "assistant", "content": answer}],
                             "metadata": meta})
            else:
                stage, reason_class = rng.choice((("pair_rating", "critic"),
                                                  ("question_critic", "critic"),
                                                  ("dedup", "duplicate"),
                                                  ("answers", "parse_failure")))
                rejected.append({"stage": stage, "reason_class": reason_class,
                                 "reason": f"rated {rating} (< 2)", "question": question,
                                 "answer": answer, "context": None, "raw": None,
                                 "metadata": meta})
        for name, records in (("pairs.jsonl", kept), ("rejected.jsonl", rejected)):
            path = out / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(json.dumps(r) + "\n" for r in records))
        summaries.append(LeafSummary(
            path=f"{folder}/qna.yaml", kind=kind, seeds=9, questions_generated=per_leaf,
            questions_kept=per_leaf, answered=per_leaf, pairs_kept=len(kept),
            rating_histogram=histogram,
            stages=[StageCount(stage="pair_rating", rows_in=per_leaf, rows_out=len(kept))],
            data_file=f"{folder}/pairs.jsonl", rejected_file=f"{folder}/rejected.jsonl"))
    (out / "summary.json").write_text(RunSummary(leaves=summaries).model_dump_json(indent=2))
    return per_leaf * leaves


def wait_ready(page: DevTools, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not page.evaluate("document.body?.getAttribute('data-ready') === '1'"):
        if time.monotonic() > deadline:
            raise SystemExit("the page did not become ready")
        time.sleep(0.01)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--leaves", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each filter")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print("html_report_bench: no Chromium on this machine (apt-get install chromium)")
        return 2
    with tempfile.TemporaryDirectory(prefix="sdg-ci-html-bench-") as tmp:
        out = Path(tmp)
        rows = make_run(out, args.rows, args.leaves)
        started = time.perf_counter()
        report = write_html_report(out)
        write_s = time.perf_counter() - started
        size_mb = report.stat().st_size / 1e6
        print(f"rows: {rows} over {args.leaves} leaves; report.html {size_mb:.1f} MB, "
              f"written in {write_s:.2f} s")
        with DevTools(chromium) as page:
            started = time.perf_counter()
            page.call("Page.navigate", url=page_url(report))
            wait_ready(page)
            load_s = time.perf_counter() - started
            render_ms = page.evaluate("Number(document.body.getAttribute('data-render-ms'))")
            total = page.evaluate("document.getElementById('total-rows').textContent")
            print(f"open: ready after {load_s * 1000:.0f} ms wall (script: parse + first "
                  f"render {render_ms} ms); {total} rows in the page")
            leaf = "compositional_skills/area_1/leaf_1/qna.yaml"
            steps = [
                ("leaf", {"leaf": leaf}),
                ("stage=kept", {"stage": "kept"}),
                ("reason=critic", {"stage": "", "reason": "critic"}),
                ("rating=3", {"reason": "", "rating": "3"}),
                ("search 1 word (first: builds the index)", {"rating": "", "q": "lantern"}),
                ("search 2 words", {"q": "lantern quartz"}),
                ("search + rating + stage", {"q": "harbor", "rating": "2",
                                             "stage": "kept"}),
                ("every row, page 500", {"leaf": "", "q": "", "rating": "", "stage": "",
                                         "page": 500}),
                ("leaf again, page 1", {"leaf": leaf, "page": 1}),
            ]
            print(f"{'filter':42} {'matched':>8} {'median ms':>10} {'max ms':>8}")
            for label, change in steps:
                before = page.evaluate("({...window.sdgReport.state})")
                times, matched = [], 0
                for _ in range(1 if label.startswith("search 1 word") else args.repeat):
                    page.evaluate(f"window.sdgReport.setState({json.dumps(before)})")
                    result = page.evaluate(f"window.sdgReport.setState({json.dumps(change)})")
                    times.append(result["ms"])
                    matched = result["matched"]
                print(f"{label:42} {matched:>8} {statistics.median(times):>10.1f} "
                      f"{max(times):>8.1f}")
            heap = page.call("Runtime.getHeapUsage")
            print(f"JS heap used: {heap['usedSize'] / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
