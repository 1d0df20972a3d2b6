"""The pull request's projection of a dataset build: rows at full scale from the preview's
keep rate against the target, thin sources and leaves that would dominate their subtree."""

from __future__ import annotations

import sys
from pathlib import Path

from sdg_ci.config import Config
from sdg_ci.records.run import LeafSummary, RunSummary, StageCount
from sdg_ci.report.projection import project, projections
from sdg_ci.report.render import render

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from samples import check  # noqa: E402

SKILL = "compositional_skills/writing/plurals/qna.yaml"
SIBLING = "compositional_skills/writing/verbs/qna.yaml"
KNOWLEDGE = "knowledge/science/tides/qna.yaml"


def skill_leaf(**kw) -> LeafSummary:
    values = {"path": SKILL, "kind": "freeform_skill", "seeds": 5, "questions_generated": 25,
              "pairs_kept": 20}
    values.update(kw)
    return LeafSummary(**values)


def test_projection_from_the_keep_rate():
    # 20 of 25 kept in the preview; full scale: 5 seeds x 30 questions = 150 -> ~120
    p = project(skill_leaf(), Config(), [SKILL])
    assert (p.full_questions, p.keep_rate, p.projected_kept, p.target) == (150, 0.8, 120, 100)
    assert p.flags == [] and p.subtree_share is None  # alone in its subtree


def test_thin_knowledge_source_is_flagged():
    leaf = LeafSummary(path=KNOWLEDGE, kind="knowledge", seeds=5, questions_generated=3,
                       pairs_kept=1, stages=[StageCount(stage="chunks", rows_in=1, rows_out=1)])
    p = project(leaf, Config(), [KNOWLEDGE])
    assert (p.full_questions, p.projected_kept) == (10, 3)
    assert p.flags and p.flags[0].startswith("thin source: about 3 rows at full scale for a "
                                             "target of 100")
    assert "longer documents" in p.flags[0]


def test_a_leaf_that_would_dominate_its_subtree():
    config = Config.model_validate({"build": {"subtrees": {
        "compositional_skills/writing/plurals": {"targets": {"full": 400}}}}})
    leaf = skill_leaf(questions_generated=10, pairs_kept=10)  # 150 at full
    p = project(leaf, config, [SKILL, SIBLING])
    assert p.target == 400 and p.projected_kept == 150
    assert p.subtree == "compositional_skills/writing"
    assert p.subtree_share == round(150 / 250, 4)
    assert p.flags[-1] == "would dominate compositional_skills/writing: 60 % of its rows"
    # with an even target it would not
    assert project(leaf, Config(), [SKILL, SIBLING]).flags == []


def test_the_pr_table_shows_the_projection():
    leaf = skill_leaf()
    summary = check(generation=RunSummary(leaves=[leaf]))
    assert "At full scale" not in render(summary)  # no projection: the table is unchanged
    summary.projections = projections(summary.generation, Config(), [SKILL])
    text = render(summary)
    assert "| At full scale (projected / target) |" in text
    assert "~120 / 100 |" in text
