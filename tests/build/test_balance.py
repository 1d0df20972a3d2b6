"""Balance: validation before generation, targets, selection, top-up rounds, weights and
the balance report, against a scratch git taxonomy and a stand-in engine whose yield per
call is set per leaf."""

from __future__ import annotations

import json
from pathlib import Path

from build_helpers import LENIENT, skill

from sdg_ci.build import build_dataset
from sdg_ci.build.balance import gini
from sdg_ci.build.select import select
from sdg_ci.commands.build import balance_table, render_text
from sdg_ci.config import Config
from sdg_ci.records.run import LeafSummary, RunSummary, Usage
from sdg_ci.report.balance import render_balance_markdown
from sdg_ci.report.escape import inline
from sdg_ci.taxonomy.leaf import taxonomy_path

POEMS = "compositional_skills/writing/poems/qna.yaml"
PROSE = "compositional_skills/writing/prose/qna.yaml"
MATH = "compositional_skills/math/qna.yaml"
PHYSICS = "knowledge/science/physics/qna.yaml"

WORDS = ("apple river stone cloud lamp violin garden tiger rocket piano harbor candle "
         "forest mirror engine desert island ladder marble comet").split()


def distinct_question(leaf: str, seed: int, i: int) -> str:
    """Questions that share no content words with each other (so none is a near-duplicate)."""
    a, b = WORDS[i % len(WORDS)], WORDS[(i // len(WORDS)) % len(WORDS)]
    return f"{leaf} {a}{i} {b}{seed} zq{seed}x{i}?"


class YieldGenerate:
    """A stand-in engine: each call yields `per_call[leaf]` kept rows per leaf (times the
    round's factor), new ones on
    every call (their questions depend on the round's seed), unless `repeat` names the leaf
    (then every call yields the same rows). Ratings cycle 3, 2, 3, 1... ."""

    def __init__(self, per_call: dict[str, int], repeat: tuple[str, ...] = ()):
        self.per_call, self.repeat = per_call, set(repeat)
        self.calls: list[dict] = []

    def __call__(self, root, leaf_files, config, out_dir, statuses=None, progress=True,
                 asked=None):
        self.calls.append({"leaf_files": list(leaf_files), "asked": dict(asked or {}),
                           "seed": config.generate.seed})
        summary = RunSummary(scale=config.generate.scale)
        for rel in leaf_files:
            seed = 0 if rel in self.repeat else config.generate.seed
            # a top-up round asks for `factor` times the questions: the yield follows
            factor = config.generate.questions_per_seed["full"] // 30
            n = self.per_call.get(rel, 3) * (1 if rel in self.repeat else factor)
            records = [{
                "messages": [{"role": "user", "content": distinct_question(rel, seed, i)},
                             {"role": "assistant", "content": f"answer {i}"}],
                "metadata": {"leaf": taxonomy_path(rel), "leaf_file": rel,
                             "row_id": f"s0-q{i}",
                             "scores": {"pair_rating": {"rating": (3, 2, 3, 1)[i % 4]}}},
            } for i in range(n)]
            folder = Path(out_dir) / taxonomy_path(rel)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
            summary.leaves.append(LeafSummary(
                path=rel, kind="freeform_skill", data_file=f"{taxonomy_path(rel)}/pairs.jsonl",
                pairs_kept=n, questions_generated=n + 2, usage=Usage(requests=n)))
        summary.usage = Usage(requests=sum(leaf.usage.requests for leaf in summary.leaves))
        return summary


def config(**build) -> Config:
    data = json.loads(json.dumps(LENIENT))
    data["build"] = {"targets": {"preview": 10, "full": 10}, "max_rounds": 3, **build}
    return Config.model_validate(data)


def run(repo, dataset, gen, cfg=None, **kw):
    return build_dataset(repo.root, dataset, generate=gen, progress=False,
                         config=cfg or config(), **kw)


def train(dataset) -> list[dict]:
    return [json.loads(x) for x in (dataset / "train.jsonl").read_text().splitlines()]


def balance(dataset) -> dict:
    return json.loads((dataset / "balance.json").read_text())


def per_leaf(rows: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["metadata"]["leaf"]] = counts.get(r["metadata"]["leaf"], 0) + 1
    return counts


# ----------------------------------------------------------------------------- selection


def record(question: str, rating: int) -> dict:
    return {"messages": [{"role": "user", "content": question},
                         {"role": "assistant", "content": "a"}],
            "metadata": {"scores": {"pair_rating": {"rating": rating}}}}


def test_selection_rating_first_then_diversity_never_a_repeat():
    records = [
        record("How do I boil an egg quickly?", 3),
        record("How do I boil an egg quickly at home?", 3),  # near-duplicate of 0
        record("Name three rivers in Europe.", 2),
        record("Explain photosynthesis to a child.", 1),
        record("How do I boil an egg quickly?", 3),  # exact repeat of 0
    ]
    assert select(records, 2, 0.6) == [0, 2]  # the near-duplicate waits, 3 beats 1
    assert select(records, 3, 0.6) == [0, 2, 3]
    # only when nothing else is left does the near-duplicate come in; the repeat never
    assert select(records, 10, 0.6) == [0, 2, 3, 1]
    assert select(records, 10, 0.6) == select(list(records), 10, 0.6)  # deterministic


def test_gini_and_spread_numbers():
    assert gini([5, 5, 5]) == 0
    assert abs(gini([0, 0, 10]) - 2 / 3) < 1e-9
    assert gini([]) == 0


# ----------------------------------------------------------------------------- build


def test_rich_leaf_selected_to_target_rest_stays_in_store(taxonomy, tmp_path):
    gen = YieldGenerate({POEMS: 25, PROSE: 10, MATH: 12, PHYSICS: 10})
    dataset = tmp_path / "ds"
    result = run(taxonomy, dataset, gen)
    rows = train(dataset)
    assert per_leaf(rows) == {taxonomy_path(p): 10 for p in (POEMS, PROSE, MATH, PHYSICS)}
    users = [r["messages"][0]["content"] for r in rows]
    assert len(users) == len(set(users)), "no duplicate rows"
    # the best-rated rows were chosen: poems has 13 rated 3 (i % 4 in 0, 2), 10 selected
    poems = [r for r in rows if r["metadata"]["leaf_file"] == POEMS]
    assert all(r["metadata"]["scores"]["pair_rating"]["rating"] == 3 for r in poems)
    store = (dataset / "leaves" / taxonomy_path(POEMS) / "pairs.jsonl").read_text().splitlines()
    assert len(store) == 25
    report = balance(dataset)
    line = report["leaves"][taxonomy_path(POEMS)]
    assert line == {"rows": 10, "target": 10, "short_by": 0, "generated": 27, "kept": 25,
                    "selected": 10, "reason": "", "weight": 1.0, "rounds": 0}
    assert report["stats"]["max_min_spread_not_short"] == 1.0
    assert report["stats"]["rows"] == result.pairs == len(rows)
    assert all(gen_call["asked"] == {} for gen_call in gen.calls)  # no top-up was needed


def test_top_up_until_target(taxonomy, tmp_path):
    gen = YieldGenerate({POEMS: 4, PROSE: 10, MATH: 10, PHYSICS: 10})
    dataset = tmp_path / "ds"
    run(taxonomy, dataset, gen)
    # first pass: 4; round 1 (x2, ceil(6/4)): +8 -> 12 >= 10
    assert [c["leaf_files"] for c in gen.calls] == [sorted([POEMS, PROSE, MATH, PHYSICS]),
                                                    [POEMS]]
    round1 = gen.calls[1]
    assert len(round1["asked"][POEMS]) == 4, "the kept questions go to the teacher"
    assert round1["seed"] != gen.calls[0]["seed"], "a round samples anew"
    line = balance(dataset)["leaves"][taxonomy_path(POEMS)]
    assert line["rows"] == 10 and line["short_by"] == 0 and line["rounds"] == 1
    assert line["kept"] == 4 + 8


def test_top_up_stops_on_an_exhausted_source(taxonomy, tmp_path):
    gen = YieldGenerate({POEMS: 3, PROSE: 10, MATH: 10, PHYSICS: 10}, repeat=(POEMS,))
    dataset = tmp_path / "ds"
    result = run(taxonomy, dataset, gen)
    assert len(gen.calls) == 2, "one round that added nothing, then it stops"
    line = balance(dataset)["leaves"][taxonomy_path(POEMS)]
    assert line["rows"] == 3 and line["short_by"] == 7 and line["target"] == 10
    assert line["reason"].startswith("source exhausted: top-up round 1 added 0 new rows")
    assert "seed examples would help" in line["reason"]
    assert "source exhausted" in render_text(result)


def test_top_up_stops_at_the_round_limit(taxonomy, tmp_path):
    gen = YieldGenerate({POEMS: 1, PROSE: 10, MATH: 10, PHYSICS: 10})
    dataset = tmp_path / "ds"
    run(taxonomy, dataset, gen, config(targets={"full": 50, "preview": 50},
                                       subtrees={"compositional_skills/writing/prose":
                                                 {"targets": {"full": 10}},
                                                 "compositional_skills/math":
                                                 {"targets": {"full": 10}},
                                                 "knowledge": {"targets": {"full": 10}}},
                                       max_rounds=2, min_round_yield=0.0))
    assert [c["leaf_files"] for c in gen.calls[1:]] == [[POEMS], [POEMS]]
    line = balance(dataset)["leaves"][taxonomy_path(POEMS)]
    assert line["rows"] == 1 + 3 + 3 and line["rounds"] == 2  # x3 per round (capped)
    assert "round limit (build.max_rounds = 2)" in line["reason"]


def test_target_and_weight_changes_cost_no_model_call(taxonomy, tmp_path):
    gen = YieldGenerate({POEMS: 30, PROSE: 30, MATH: 30, PHYSICS: 30})
    dataset = tmp_path / "ds"
    run(taxonomy, dataset, gen)
    assert len(gen.calls) == 1
    result = run(taxonomy, dataset, gen,
                 config(targets={"full": 20, "preview": 20},
                        subtrees={"knowledge": {"weight": 0.5}}))
    assert len(gen.calls) == 1 and result.requests == 0
    counts = per_leaf(train(dataset))
    assert counts[taxonomy_path(POEMS)] == 20 and counts[taxonomy_path(PHYSICS)] == 10
    report = balance(dataset)
    assert report["subtrees"]["1"] == {
        "compositional_skills": {"rows": 60, "share": round(60 / 70, 4)},
        "knowledge": {"rows": 10, "share": round(10 / 70, 4)}}
    assert report["leaves"][taxonomy_path(PHYSICS)]["weight"] == 0.5


def test_a_raised_target_tops_up_the_kept_leaves_below_it_once(taxonomy, tmp_path):
    gen = YieldGenerate({POEMS: 4, PROSE: 30, MATH: 30, PHYSICS: 30})
    dataset = tmp_path / "ds"
    run(taxonomy, dataset, gen)  # target 10: poems 4, then round 1 (x2) adds 8
    assert [c["leaf_files"] for c in gen.calls[1:]] == [[POEMS]]
    first_round_seed = gen.calls[1]["seed"]
    raised = config(targets={"full": 40, "preview": 40})
    result = run(taxonomy, dataset, gen, raised)
    assert result.generated == []  # no leaf generated anew: only more rounds
    calls = gen.calls[2:]
    assert {p for c in calls for p in c["leaf_files"]} == {POEMS, PROSE, MATH, PHYSICS}
    assert all(c["asked"] for c in calls), "the stored questions go to the teacher"
    # poems' rounds go on from its first build's: round 2 on, new seeds, no replay
    poems_seeds = [c["seed"] for c in calls if POEMS in c["leaf_files"]]
    assert first_round_seed not in poems_seeds and len(set(poems_seeds)) == len(poems_seeds)
    report = balance(dataset)["leaves"]
    assert report[taxonomy_path(PROSE)]["rows"] == 40  # 30 + 30 in one round, selected to 40
    assert report[taxonomy_path(PROSE)]["rounds"] == 1
    poems = report[taxonomy_path(POEMS)]
    assert poems["rounds"] == 4 and poems["kept"] == 12 + 12 + 8 + 4  # x3, x2, x1
    assert "round limit (build.max_rounds = 3)" in poems["reason"]
    # the same target again: every leaf has had its rounds for it, no call
    again = run(taxonomy, dataset, gen, raised)
    assert len(gen.calls) == 2 + len(calls) and again.requests == 0


def test_editing_one_leaf_tops_up_that_leaf_only(taxonomy, tmp_path):
    gen = YieldGenerate({POEMS: 10, PROSE: 10, MATH: 10, PHYSICS: 10})
    dataset = tmp_path / "ds"
    run(taxonomy, dataset, gen)
    gen.per_call[MATH] = 5
    taxonomy.write(MATH, skill("Add 5 and 6?", "Add 7 and 8?"))
    taxonomy.commit("edit math")
    run(taxonomy, dataset, gen)
    assert [c["leaf_files"] for c in gen.calls[1:]] == [[MATH], [MATH]]
    assert per_leaf(train(dataset))[taxonomy_path(MATH)] == 10


def test_invalid_leaf_costs_no_call_is_listed_and_its_old_data_kept_out(taxonomy, tmp_path):
    gen = YieldGenerate({POEMS: 10, PROSE: 10, MATH: 10, PHYSICS: 10})
    dataset = tmp_path / "ds"
    run(taxonomy, dataset, gen)
    taxonomy.write(POEMS, "version: 3\ntask_description: broken\nseed_examples: []\n")
    taxonomy.commit("break poems")
    result = run(taxonomy, dataset, gen)
    assert len(gen.calls) == 1, "no model call for the invalid leaf"
    assert list(result.invalid) == [POEMS]
    assert any("Q1" in d for d in result.invalid[POEMS])
    assert taxonomy_path(POEMS) not in per_leaf(train(dataset))
    line = balance(dataset)["leaves"][taxonomy_path(POEMS)]
    assert line["rows"] == 0 and line["reason"].startswith("invalid: ")
    text = render_text(result)
    assert f"invalid   {POEMS}: not generated" in text
    # still invalid next time: still no call, still out
    run(taxonomy, dataset, gen)
    assert len(gen.calls) == 1


def test_report_table_markdown_and_card(taxonomy, tmp_path):
    taxonomy.write("knowledge/science/physics/attribution.txt",
                   "Title: physics\nLicense: CC-BY-SA-4.0 <img src=x>\n")
    taxonomy.commit("licence")
    gen = YieldGenerate({POEMS: 12, PROSE: 2, MATH: 10, PHYSICS: 10}, repeat=(PROSE,))
    dataset = tmp_path / "ds"
    result = run(taxonomy, dataset, gen)
    table = balance_table(result.report)
    assert table.splitlines()[0].split()[:4] == ["leaf", "rows", "target", "short"]
    assert "1 short" in table
    markdown = render_balance_markdown(result.report)
    assert "```mermaid\nxychart-beta" in markdown
    assert 'x-axis ["compositional_skills/math", "compositional_skills/writing"' in markdown
    card = (dataset / "README.md").read_text()
    assert card.startswith("---\nlicense: other\n")
    assert "path: train.jsonl" in card and "- n<1K" in card
    assert inline("CC-BY-SA-4.0") in card and "<img" not in card
