"""The declared flows: every step's prompt file agrees with the step (stage and role), and
the stage names written to summary.json stay what they are."""

from __future__ import annotations

import pytest

from sdg_ci.generate.flows.flow import Check
from sdg_ci.generate.flows.kinds import FLOWS
from sdg_ci.generate.model.prompts import load_prompt
from sdg_ci.records.stages import CRITIC_STAGES, TEACHER_STAGES, Stage, pipeline_order
from sdg_ci.taxonomy.leaf import LeafKind


def test_every_leaf_kind_has_a_flow():
    assert set(FLOWS) == set(LeafKind)


@pytest.mark.parametrize("kind", list(FLOWS))
def test_steps_match_their_prompt_files(kind):
    flow = FLOWS[kind]
    assert load_prompt(flow.questions).stage is Stage.QUESTIONS
    for step in flow.chain:
        if isinstance(step, Check):
            assert step.stage.role is None  # a rule, no model asked
            continue
        prompt = load_prompt(step.prompt)
        assert prompt.stage is step.stage and prompt.role is step.role


def test_stage_names_and_order_are_the_summary_contract():
    assert [s.value for s in Stage] == [
        "chunks", "contexts", "questions", "dedup", "question_critic", "answers",
        "answer_check", "pair_rating", "pair_eval", "pair_dedup"]
    assert [s.value for s in TEACHER_STAGES] == ["contexts", "questions", "answers"]
    assert [s.value for s in CRITIC_STAGES] == ["question_critic", "pair_rating", "pair_eval"]
    assert pipeline_order("answers") < pipeline_order("pair_dedup") < pipeline_order("other")
