"""Quality gates: defaults, subtree overrides, and failure messages."""

import pytest
import samples
from pydantic import ValidationError

from sdg_ci.config import Config, GatesConfig, GateSettings, load_gates
from sdg_ci.errors import SdgCiError
from sdg_ci.report.gates import evaluate, evaluate_leaf, failures, settings_for


def by_gate(results):
    return {r.gate: r for r in results}


def test_defaults_pass_a_healthy_leaf():
    results = evaluate(samples.run(), GatesConfig())
    assert results and all(r.passed for r in results)
    assert set(by_gate(results)) == {"min_kept_pairs", "min_mean_rating",
                                     "max_parse_failure_rate", "max_duplicate_rate"}


def test_each_gate_fails_with_leaf_number_and_threshold():
    leaf = samples.leaf(
        path="knowledge/science/tides/qna.yaml", kind="knowledge", pairs_kept=2,
        mean_rating=1.5, parse_failures=40, duplicates=20, questions_generated=25,
        faithfulness_rate=0.25,
    )
    settings = GateSettings(min_kept_pairs=5, min_mean_rating=2.0, max_parse_failure_rate=0.2,
                            max_duplicate_rate=0.3, min_faithfulness_rate=0.6)
    results = by_gate(evaluate_leaf(leaf, settings))
    assert all(not r.passed for r in results.values())
    p = "knowledge/science/tides/qna.yaml"
    assert results["min_kept_pairs"].message == (
        f"{p}: 2 pairs kept; at least 5 required (min_kept_pairs)")
    assert results["min_mean_rating"].message == (
        f"{p}: mean rating 1.50; at least 2 required (min_mean_rating)")
    assert results["max_duplicate_rate"].message == (
        f"{p}: 20 of 25 generated questions were duplicates (80 %); at most 30 % allowed "
        "(max_duplicate_rate)")
    assert results["min_faithfulness_rate"].message == (
        f"{p}: faithfulness 25 %; at least 60 % required (min_faithfulness_rate)")
    pf = results["max_parse_failure_rate"]
    assert pf.value == pytest.approx(40 / (25 + 18 + 18 + 40))
    assert pf.message.startswith(f"{p}: 40 of 101 model replies did not parse (40 %)")
    assert (pf.value, pf.threshold) == (pytest.approx(0.396, abs=1e-3), 0.2)


def test_faithfulness_only_for_knowledge():
    leaf = samples.leaf(faithfulness_rate=0.0)
    assert "min_faithfulness_rate" not in by_gate(evaluate_leaf(leaf, GateSettings()))


def test_missing_measures_are_not_evaluated():
    empty = samples.leaf(questions_generated=0, questions_kept=0, answered=0, pairs_kept=0,
                         mean_rating=None, parse_failures=0, duplicates=0)
    results = by_gate(evaluate_leaf(empty, GateSettings()))
    assert list(results) == ["min_kept_pairs"]
    assert results["min_kept_pairs"].message.endswith("0 pairs kept; at least 1 required "
                                                       "(min_kept_pairs)")


def test_subtree_overrides_longest_last_and_null_turns_off():
    config = GatesConfig.model_validate({
        "default": {"min_kept_pairs": 1},
        "subtrees": {
            "knowledge": {"min_kept_pairs": 3},
            "knowledge/science/": {"min_kept_pairs": 10, "min_mean_rating": None},
            "knowledge/sci": {"min_kept_pairs": 99},  # a prefix of a name, not a subtree
        },
    })
    s = settings_for("knowledge/science/tides/qna.yaml", config)
    assert s.min_kept_pairs == 10 and s.min_mean_rating is None
    assert s.max_duplicate_rate == 0.5
    assert settings_for("knowledge/history/qna.yaml", config).min_kept_pairs == 3
    assert settings_for("compositional_skills/x/qna.yaml", config).min_kept_pairs == 1


def test_gate_failure_list():
    config = GatesConfig(default=GateSettings(min_kept_pairs=50))
    failed = failures(evaluate(samples.run(), config))
    assert [f.gate for f in failed] == ["min_kept_pairs"]


def test_typo_in_a_subtree_is_an_error():
    with pytest.raises(ValidationError):
        GatesConfig.model_validate({"subtrees": {"knowledge": {"min_kept_pair": 3}}})
    with pytest.raises(ValidationError):
        Config.model_validate({"gates": {"defaults": {}}})


def test_gates_file_whole_config_or_section(tmp_path):
    whole = tmp_path / "sdg.yaml"
    whole.write_text("gates:\n  default:\n    min_kept_pairs: 7\n")
    assert load_gates(whole).default.min_kept_pairs == 7
    section = tmp_path / "gates.yaml"
    section.write_text("subtrees:\n  knowledge:\n    min_mean_rating: 2.5\n")
    assert load_gates(section).subtrees["knowledge"].min_mean_rating == 2.5
    bad = tmp_path / "bad.yaml"
    bad.write_text("default:\n  min_kept: 1\n")
    with pytest.raises(SdgCiError, match=r"bad\.yaml: gates\.default\.min_kept"):
        load_gates(bad)


def test_parse_failure_base_counts_model_stages_only():
    """pair_dedup and dedup are not model calls: they must not dilute the failure rate."""
    from sdg_ci.records.run import LeafSummary, StageCount
    from sdg_ci.report.gates import parse_attempts

    leaf = LeafSummary(
        path="compositional_skills/a/qna.yaml",
        kind="freeform_skill",
        parse_failures=2,
        stages=[
            StageCount(stage="questions", rows_in=4, rows_out=4),
            StageCount(stage="dedup", rows_in=40, rows_out=40),
            StageCount(stage="question_critic", rows_in=4, rows_out=3),
            StageCount(stage="answers", rows_in=3, rows_out=3),
            StageCount(stage="pair_rating", rows_in=3, rows_out=3),
            StageCount(stage="pair_dedup", rows_in=300, rows_out=300),
        ],
    )
    assert parse_attempts(leaf) == 4 + 4 + 3 + 3 + 2
