"""The report opened in a real headless Chromium: numbers, filters, and inert hostile text."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

from chromium_driver import DevTools, dump_dom, page_url
from gen_taxonomy import FREEFORM
from hostile_text import HOSTILE_ANSWER

from sdg_ci.build.assemble import LeafBalance
from sdg_ci.build.balance import balance_report
from sdg_ci.report.html import REPORT_FILE, write_html_report

# the markdown summary's funnel (report/render.py), in its order
FUNNEL = ("questions_generated", "questions_new", "questions_kept", "answered", "pairs_rated",
          "pairs_kept")


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run_rows(out: Path) -> list[tuple[str, dict, bool]]:
    """(leaf path, record, kept) for every row the run wrote."""
    rows = []
    for leaf in json.loads((out / "summary.json").read_text())["leaves"]:
        rows += [(leaf["path"], r, True) for r in jsonl(out / leaf["data_file"])]
        rows += [(leaf["path"], r, False) for r in jsonl(out / leaf["rejected_file"])]
    return rows


def rating(record: dict) -> int | None:
    scores = record["metadata"].get("scores") or {}
    return next((s["rating"] for s in scores.values() if "rating" in s), None)


def assert_ran_cleanly(dom: str) -> None:
    assert 'data-ready="1"' in dom  # the script ran to the end
    assert 'data-pwned="' not in dom and "pwned</title>" not in dom
    assert "<title>sdg-ci report</title>" in dom


def table_cells(dom: str) -> dict[tuple[int, str], str]:
    """(leaf index, key) -> the text of that cell of the numbers table."""
    return {(int(i), k): v for i, k, v in
            re.findall(r'data-leaf="(\d+)" data-k="(\w+)">([^<]*)<', dom)}


def funnel_values(dom: str) -> dict[tuple[int, str], str]:
    """(leaf index, step) -> the value shown at the end of that bar of the funnel chart."""
    return {(int(i), k): v for i, k, v in
            re.findall(r'data-funnel-leaf="(\d+)" data-step="(\w+)">([^<]*)<', dom)}


def test_counts_shown_equal_summary_json(chromium, sample_run):
    root, out = sample_run
    write_html_report(out, taxonomy_root=root)
    dom = dump_dom(chromium, out / REPORT_FILE)
    assert_ran_cleanly(dom)
    summary = json.loads((out / "summary.json").read_text())
    cells = table_cells(dom)
    bars = funnel_values(dom)
    for i, leaf in enumerate(summary["leaves"]):
        for key in ("seeds", "questions_generated", "questions_new", "questions_kept",
                    "answered", "pairs_rated", "pairs_kept", "duplicates", "degenerate",
                    "errors", "rejected_rows"):
            assert cells[(i, key)] == str(leaf[key]), (leaf["path"], key)
        # the chart shows the markdown summary's six steps, in its order
        assert [k for (j, k) in bars if j == i] == list(FUNNEL)
        for key in FUNNEL:
            assert bars[(i, key)] == str(leaf[key]), (leaf["path"], key)
        for r in "123":
            assert cells[(i, f"h{r}")] == str(leaf["rating_histogram"][r])
    totals = dict(re.findall(r'data-total="(\w+)">(\d+)<', dom))
    assert int(totals["pairs_kept"]) == sum(leaf["pairs_kept"] for leaf in summary["leaves"])
    assert int(totals["leaves"]) == len(summary["leaves"])
    assert int(totals["rejected_rows"]) == sum(leaf["rejected_rows"]
                                               for leaf in summary["leaves"])
    # the fake critic keeps every question: each leaf is named, with its signals
    assert summary["weak_critic_leaves"]
    for path in summary["weak_critic_leaves"]:
        leaf = next(leaf for leaf in summary["leaves"] if leaf["path"] == path)
        item = re.search(f'data-weak-critic="{re.escape(path)}">(.*?)</ul></li>', dom).group(1)
        for signal in leaf["weak_critic"]:
            assert signal in item
    assert 'data-failed-leaf="' not in dom  # no leaf failed
    shown = re.search(r'<span id="shown">(\d+)</span>', dom).group(1)
    assert int(shown) == len(run_rows(out))  # no filter: every row


def test_filters_change_the_visible_rows(chromium, sample_run):
    root, out = sample_run
    report = write_html_report(out, taxonomy_root=root)
    rows = run_rows(out)
    with DevTools(chromium) as page:
        page.call("Page.navigate", url=page_url(report, f"leaf={FREEFORM}&stage=kept"))
        deadline = time.monotonic() + 20
        while not page.evaluate("document.body?.getAttribute('data-ready') === '1'"):
            assert time.monotonic() < deadline, "the page never became ready"
            time.sleep(0.05)

        def shown() -> int:
            return int(page.evaluate("document.getElementById('shown').textContent"))

        def visible() -> int:
            return page.evaluate("document.querySelectorAll('#row-list article').length")

        # from the URL hash
        assert shown() == visible() == sum(1 for p, _, kept in rows if p == FREEFORM and kept)
        seeds = page.evaluate("[...document.querySelectorAll('#seeds [data-seeds]')]"
                              ".map(e => e.querySelector('h4').textContent)")
        assert seeds == [FREEFORM]  # the leaf's seed examples beside its pairs

        # through the controls, as a reviewer would
        def choose(control: str, value: str) -> None:
            page.evaluate(f"(() => {{ const c = document.getElementById('{control}'); "
                          f"c.value = {json.dumps(value)}; "
                          "c.dispatchEvent(new Event('change')); })()")

        choose("f-leaf", "")
        assert shown() == sum(1 for _, _, kept in rows if kept)
        choose("f-rating", "3")
        assert shown() == sum(1 for _, r, kept in rows if kept and rating(r) == 3) > 0
        choose("f-stage", "")
        choose("f-rating", "")
        choose("f-reason", "critic")
        assert shown() == sum(1 for _, r, kept in rows
                              if not kept and r["reason_class"] == "critic") > 0
        assert page.evaluate("location.hash") == "#reason=critic"
        choose("f-reason", "")
        word = rows[0][1]["messages"][0]["content"].split()[3].lower()
        page.evaluate(f"(() => {{ const q = document.getElementById('f-q'); "
                      f"q.value = {json.dumps(word)}; q.dispatchEvent(new Event('input')); }})()")
        time.sleep(0.4)  # the search waits for typing to pause
        expected = sum(1 for _, r, _ in rows if word in json.dumps(r, ensure_ascii=False).lower())
        assert 0 < shown() <= expected < len(rows)


def test_hostile_seed_and_model_output_render_as_text_and_run_nothing(
        chromium, sample_run, tmp_path):
    root, out = sample_run
    report = write_html_report(out, taxonomy_root=root)
    dom = dump_dom(chromium, report, f"leaf={FREEFORM}")
    assert_ran_cleanly(dom)
    body = dom.split("<body", 1)[1]
    assert "<img" not in body
    assert "&lt;img src=x onerror=" in body  # the seed, shown as text
    assert "&lt;/script&gt;&lt;script&gt;document.title='pwned'" in body  # the answers
    # and without the Content-Security-Policy, the escaping alone still holds
    bare = tmp_path / "no-csp.html"
    bare.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "",
                           report.read_text(encoding="utf-8")), encoding="utf-8")
    assert "Content-Security-Policy" not in bare.read_text()
    dom = dump_dom(chromium, bare, f"leaf={FREEFORM}")
    assert_ran_cleanly(dom)
    assert "<img" not in dom.split("<body", 1)[1]
    assert HOSTILE_ANSWER not in dom


def test_a_build_report_shows_the_balance(chromium, sample_run, tmp_path):
    root, out = sample_run
    dataset = tmp_path / "ds"
    shutil.copytree(out, dataset / "last_run")
    (dataset / "manifest.json").write_text('{"leaves": {}}')
    (dataset / "balance.json").write_text(json.dumps({
        "leaves": {"compositional_skills/writing/haiku": {"rows": 6, "target": 10,
                                                          "short_by": 4, "reason": "few seeds"},
                   "knowledge/science/tides": {"rows": 12, "target": 10, "short_by": 0}},
        "subtrees": {"1": {"compositional_skills": {"rows": 6, "share": 0.33},
                           "knowledge": {"rows": 12, "share": 0.67}}},
        "stats": {"spread": 2.0, "gini": 0.17}}))
    dom = dump_dom(chromium, write_html_report(dataset, taxonomy_root=root))
    assert_ran_cleanly(dom)
    assert re.search(r'data-balance-leaf="compositional_skills/writing/haiku">.*?'
                     r'data-k="rows">6<', dom)
    assert "few seeds" in dom and ">gini<" in dom


def test_new_funnel_steps_come_from_their_fields_with_a_fallback_for_older_summaries(
        chromium, sample_run, tmp_path):
    """Distinct numbers for every step (so a step cannot pass by showing its neighbour), a
    failed leaf, and two leaves as an older summary.json wrote them: without the new fields,
    one with its stage counts (the steps come from the stages, as the markdown summary
    takes them) and one without (the steps show –)."""
    _, out = sample_run
    run = tmp_path / "run"
    shutil.copytree(out, run)
    summary = json.loads((run / "summary.json").read_text())
    first, second, third = summary["leaves"]
    first.update(questions_generated=10, questions_new=9, questions_kept=7, answered=6,
                 pairs_rated=5, pairs_kept=4, degenerate=1, rejected_rows=8,
                 failure="the teacher stopped answering (3 calls failed)")
    new_fields = ("questions_new", "pairs_rated", "degenerate", "rejected_rows", "weak_critic",
                  "failure")
    for leaf in (second, third):
        for key in new_fields:
            del leaf[key]
    second["stages"] = [
        {"stage": "questions", "rows_in": 6, "rows_out": 6, "dropped": {}},
        {"stage": "dedup", "rows_in": 6, "rows_out": 5, "dropped": {"duplicate": 1}},
        {"stage": "question_critic", "rows_in": 5, "rows_out": 5, "dropped": {}},
        {"stage": "answers", "rows_in": 5, "rows_out": 5, "dropped": {}},
        {"stage": "pair_rating", "rows_in": 5, "rows_out": 4, "dropped": {"critic": 1}}]
    third["stages"] = []
    del summary["weak_critic_leaves"]
    summary["weak_critic_leaves"] = [first["path"]]
    (run / "summary.json").write_text(json.dumps(summary))
    dom = dump_dom(chromium, write_html_report(run))
    assert_ran_cleanly(dom)
    cells, bars = table_cells(dom), funnel_values(dom)
    for key in (*FUNNEL, "degenerate", "rejected_rows"):
        assert cells[(0, key)] == bars.get((0, key), cells[(0, key)]) == str(first[key]), key
    assert [bars[(1, k)] for k in FUNNEL] == [str(second["questions_generated"]), "5",
                                              str(second["questions_kept"]),
                                              str(second["answered"]), "4",
                                              str(second["pairs_kept"])]
    assert [bars[(2, k)] for k in FUNNEL] == [str(third["questions_generated"]), "–",
                                              str(third["questions_kept"]),
                                              str(third["answered"]), "–",
                                              str(third["pairs_kept"])]
    assert cells[(2, "degenerate")] == "–"
    # without summary.json's count, the rejected rows are the records of rejected.jsonl
    assert cells[(2, "rejected_rows")] == str(len(jsonl(run / third["rejected_file"])))
    failed = re.findall(r'data-failed-leaf="([^"]+)"><code>[^<]*</code>: '
                        r'<span class="failure">([^<]*)<', dom)
    assert failed == [(first["path"], first["failure"])]
    assert re.findall(r'data-weak-critic="([^"]+)"', dom) == [first["path"]]


def test_the_balance_shows_each_depth_on_its_own(chromium, sample_run, tmp_path):
    """balance.json lists a shallow leaf as itself at every deeper depth: each depth is its
    own chart, in which no subtree appears twice and the rows add up to the total."""
    root, out = sample_run
    dataset = tmp_path / "ds"
    shutil.copytree(out, dataset / "last_run")
    (dataset / "manifest.json").write_text('{"leaves": {}}')

    def leaf(rows: int) -> LeafBalance:
        return LeafBalance(rows=rows, target=10, short_by=max(0, 10 - rows), generated=rows,
                           kept=rows, selected=rows, reason="")

    report = balance_report({"compositional_skills/writing/haiku/poems": leaf(6),
                             "compositional_skills/writing/limerick": leaf(4),
                             "knowledge/tides": leaf(12)})
    assert report["subtrees"]["2"]["knowledge/tides"] == report["subtrees"]["3"][
        "knowledge/tides"]  # the shallow leaf stands for itself at depths 2 and 3
    (dataset / "balance.json").write_text(json.dumps(report))
    dom = dump_dom(chromium, write_html_report(dataset, taxonomy_root=root))
    assert_ran_cleanly(dom)
    blocks = dict(re.findall(r'data-depth="(\d+)">(.*?</svg>)', dom, re.S))
    assert sorted(blocks) == sorted(report["subtrees"]) == ["1", "2", "3"]
    for depth, block in blocks.items():
        shown = re.findall(r'data-subtree="([^"]+)">(\d+)<', block)
        names = [name for name, _ in shown]
        assert names == list(report["subtrees"][depth]), depth
        assert len(set(names)) == len(names)
        assert sum(int(rows) for _, rows in shown) == 22, depth
    assert "knowledge/tides" in blocks["2"] and "knowledge/tides" in blocks["3"]
