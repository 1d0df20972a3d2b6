"""The summary markdown: content, order, links, and hostile contributor text."""

import re

import samples
from mdcheck import assert_safe, tables
from samples import DELETED, HEAD_SHA, INVALID, KNOWLEDGE, SKILL

from sdg_ci.config import GatesConfig, GateSettings
from sdg_ci.records.check import CheckSummary
from sdg_ci.records.diff import LeafChange
from sdg_ci.records.run import LeafSummary, PairExample, RejectionExample
from sdg_ci.report.escape import ZWSP
from sdg_ci.report.render import render, render_run


def full_check():
    run = samples.run(
        samples.leaf(),
        samples.leaf(KNOWLEDGE, "knowledge", status="added", faithfulness_rate=0.8,
                     kept_examples=[PairExample(question="Why tides?", answer="The moon.",
                                                context="Tides are caused by the moon.",
                                                rating=3)]),
    )
    changes = [
        LeafChange(path=SKILL, status="modified"),
        LeafChange(path=KNOWLEDGE, status="added"),
        LeafChange(path=INVALID, status="added"),
        LeafChange(path=DELETED, status="deleted"),
    ]
    validation = [
        samples.valid_file(SKILL),
        samples.valid_file(KNOWLEDGE),
        samples.invalid_file(),
    ]
    return samples.check(run, validation, changes)


def test_verdict_comes_first():
    text = render(full_check())
    first = text.split("\n")[0]
    assert first == "## ❌ sdg-ci: failed — 1 invalid leaf file"
    ok = samples.check()
    assert render(ok).split("\n")[0] == "## ✅ sdg-ci: passed"
    assert "all quality gates met" in render(ok).split("\n")[2]


def test_facts_line_counts_changes_and_pairs():
    text = render(full_check())
    assert ("**4 changed leaves** (2 added, 1 modified, 1 deleted) · 1 invalid · "
            "**24 pairs kept** · all quality gates met") in text


def test_validation_diagnostics_link_to_the_head_commit():
    text = render(full_check())
    url = (f"https://github.com/octo/taxonomy/blob/{HEAD_SHA}/"
           "compositional_skills/writing/broken/qna.yaml#L12")
    assert f"]({url})" in text
    assert "`Q201`" in text and "seed\\_examples has 3 items; at least 5 are required" in text
    assert "<details><summary>1 warning</summary>" in text


def test_links_respect_a_taxonomy_in_a_subfolder():
    summary = full_check()
    summary.taxonomy = "taxonomy"
    text = render(summary)
    assert f"/blob/{HEAD_SHA}/taxonomy/compositional_skills/writing/broken/qna.yaml#L12" in text


def test_without_github_paths_are_plain_code():
    summary = full_check()
    summary.pull_request = samples.PullRequestInfo()
    text = render(summary)
    assert "](" not in text
    assert "`compositional_skills/writing/broken/qna.yaml:12:3`" in text


def test_leaf_table_has_every_measure():
    text = render(full_check())
    assert ("| Kind | Status | Seeds | Questions → new (after dedup) → kept by critic → answered "
            "→ kept by rating → kept (after final dedup) | Mean rating | Ratings 1 / 2 / 3 "
            "| Faithfulness | Duplicates | Degenerate | Parse failures | Errors |") in text
    assert "| freeform skill | modified | 5 | 25 → 23 → 18 → 18 → 13 → 12 | 2.06 | 6 / 5 / 7 " \
           "| n/a | 2 | 0 | 1 | 0 |" in text
    assert "| knowledge | added | 5 | 25 → 23 → 18 → 18 → 13 → 12 | 2.06 | 6 / 5 / 7 " \
           "| 80 % |" in text


def test_a_summary_without_the_funnel_fields_shows_dashes_not_guesses():
    old = samples.leaf(questions_new=0, pairs_rated=0)
    text = render_run(samples.run(old))
    assert "| 25 → — → 18 → 18 → — → 12 |" in text


def test_examples_and_rejections_are_collapsible():
    text = render(full_check())
    assert "<details><summary>Kept pairs (2 of 12 shown)</summary>" in text
    assert "> **Q:** What is the plural of mouse?" in text
    assert "> **Context:** Tides are caused by the moon\\." in text
    # the heading counts every rejected row (7), not only the reasons shown (4 + 2)
    assert ("<details><summary>Rejections (7 rows in `rejected.jsonl`; the 2 most common "
            "reasons)</summary>") in text
    rows = [t for t in tables(text) if t[0].startswith("| Stage |")][0]
    # the verdict in our words first, the critic's reason only as its quote
    assert "critic\\: drop — the critic said “off topic” | 4 |" in rows[2]  # most common first
    assert "duplicate | 2 |" in rows[3]


def test_invalid_and_deleted_leaves_are_listed():
    text = render(full_check())
    assert "| ❌ | — (invalid) | — | — |" in text
    assert "### Deleted leaves" in text
    assert f"- `{DELETED}` — gone" in text


def test_run_section_models_usage_and_reproduce():
    text = render(full_check())
    assert "- Models: teacher `smollm2-135m` (embedded), critic `smollm2-135m` (embedded)" in text
    assert "- Requests: 80 (4 from the cache) · tokens: 18,000 prompt + 6,000 completion" in text
    assert "generation wall time 1 min 15 s" in text
    assert "```sh\nsdg-ci check --base origin/main --no-comment\n```" in text


def test_failed_gates_name_leaf_number_and_threshold():
    config = GatesConfig(default=GateSettings(min_kept_pairs=20))
    summary = samples.check(gates_config=config)
    text = render(summary)
    assert text.startswith("## ❌ sdg-ci: failed — 1 quality gate failed on 1 leaf")
    assert "### ❌ Quality gates" in text
    assert "| `min_kept_pairs` | 12 | ≥ 20 |" in text
    assert f"#### ❌ `{SKILL}`" in text


def test_teacher_too_weak_is_said_plainly():
    weak = samples.leaf(teacher_too_weak=True, notes=[])
    text = render(samples.check(samples.run(weak)))
    assert "> [!WARNING]" in text and "teacher looks too weak" in text


def test_generation_skipped_and_error():
    summary = samples.check(samples.run())
    summary.generation = None
    summary.generation_skipped = "generation was turned off (--no-generate)"
    text = render(summary)
    assert "generation skipped: generation was turned off" in text
    summary.generation_error = "teacher endpoint unreachable"
    summary.verdict = "error"
    summary.problems = ["generation failed: teacher endpoint unreachable"]
    assert render(summary).startswith("## ⛔ sdg-ci: error")
    assert "> [!CAUTION]" in render(summary)


def test_nothing_changed():
    summary = CheckSummary(generation_skipped="no leaf changed")
    text = render(summary)
    assert text.startswith("## ✅ sdg-ci: passed\n\nno leaf changed")
    assert_safe(text)


def test_render_run_for_a_bare_generation():
    text = render_run(samples.run())
    assert "#### ✅ `compositional_skills/writing/plurals/qna.yaml`" in text


# --------------------------------------------------------------------- hostile text

HOSTILE = (
    '<img src="https://evil.example/beacon.png"><script>alert(1)</script>'
    "<!-- sdg-ci:pr-summary -->"
    "</details></summary><details open>"
    "![beacon](https://evil.example/b.png) [phish](https://evil.example) "
    "@octocat @github/security-team #1 octo/taxonomy#2 "
    "| broken | table |\n| --- | --- |\n"
    "```\n# escaped the fence\n````\n~~~\n"
    "\u202eoverride \x00\x1b[2J "
    "&lt;img src=x&gt; $x^2$ **bold** _em_ "
)


def hostile_leaf(path=SKILL, size=100_000, n_examples=3):
    big = HOSTILE + ("A" * size)
    return LeafSummary(
        path=path,
        kind="grounded_skill",
        status="modified",
        seeds=5,
        questions_generated=10,
        questions_kept=5,
        answered=5,
        pairs_kept=5,
        mean_rating=2.5,
        kept_examples=[PairExample(question=HOSTILE, answer=big, context=big, rating=3)
                       for _ in range(n_examples)],
        rejections=[RejectionExample(stage=HOSTILE[:40], reason=HOSTILE, text=big, count=i + 1)
                    for i in range(8)],
        notes=[HOSTILE],
    )


def test_hostile_text_is_safe():
    run = samples.run(hostile_leaf())
    bad = samples.invalid_file(message=HOSTILE)
    changes = [LeafChange(path=SKILL, status="modified"),
               LeafChange(path=INVALID, status="added")]
    summary = samples.check(run, [samples.valid_file(SKILL), bad], changes)
    text = render(summary)
    assert_safe(text)
    assert "evil\\.example/beacon\\.png" in text  # shown as text, not loaded
    assert f"@{ZWSP}octocat" in text
    assert text.count("<!-- sdg-ci") == 0  # no fake marker


def test_hostile_paths_cannot_break_tables_or_links():
    path = "compositional_skills/a|b)`x`/[y](https:/evil.example)/@octocat/<img>/qna.yaml"
    run = samples.run(samples.leaf(path=path))
    bad = samples.invalid_file(path=path)
    changes = [LeafChange(path=path, status="added", old_path="x|y/qna.yaml")]
    text = render(samples.check(run, [bad], changes))
    assert_safe(text)
    assert re.search(r"/blob/c{40}/compositional_skills/a%7Cb%29%60x%60/%5By%5D%28https%3A/", text)


def test_huge_answers_stay_under_the_comment_limit_cutting_examples_first():
    leaves = [hostile_leaf(f"compositional_skills/s{i}/qna.yaml") for i in range(12)]
    run = samples.run(*leaves)
    text = render(samples.check(run))
    assert_safe(text)
    assert len(text) < 65536
    assert "to stay under GitHub's comment size limit" in text
    # every leaf still has its table even when examples went
    for i in range(12):
        assert f"`compositional_skills/s{i}/qna.yaml`" in text


def test_example_text_is_shortened_before_dropped():
    run = samples.run(hostile_leaf(size=100_000, n_examples=3))
    text = render(samples.check(run))
    assert "Kept pairs (3 of 5 shown)" in text  # fits at full count, with text shortened
    assert "cut\\: " in text


def test_thousands_of_diagnostics_still_fit():
    files = [samples.invalid_file(path=f"compositional_skills/f{i}/qna.yaml",
                                  message=HOSTILE * 3) for i in range(300)]
    for f in files:
        f.errors = f.errors * 40
    changes = [LeafChange(path=f.path, status="added") for f in files]
    summary = samples.check(samples.run(), files, changes)
    text = render(summary)
    assert_safe(text)
    assert "cut to stay under GitHub's comment size limit" in text or "were left out" in text


def test_run_notes_come_right_after_the_verdict():
    run = samples.run()
    run.notes = ["Models: the embedded default (SmolLM2-135M, on CPU).", "second note"]
    text = render(samples.check(run))
    head, _, rest = text.partition("### Changed leaves")
    assert "> [!NOTE]\n> Models\\: the embedded default (SmolLM2\\-135M, on CPU)\\.\n>\n" \
           "> second note" in head.replace("\\(", "(").replace("\\)", ")")
