"""The rule registry and docs/rules.md, which is generated from the rules' docstrings."""

from __future__ import annotations

import re
from pathlib import Path

from sdg_ci.validate import docs
from sdg_ci.validate.rules import BY_CODE, MODULES, RULES

PROJECT = Path(__file__).resolve().parents[2]


def test_docs_rules_md_is_up_to_date():
    assert docs.DOC_PATH == PROJECT / "docs" / "rules.md"
    assert docs.DOC_PATH.read_text(encoding="utf-8") == docs.render(), (
        "docs/rules.md is out of date: run `python -m sdg_ci.validate.docs --write`"
    )
    assert docs.main(["--check"]) == 0


def test_every_rule_is_documented_once_with_a_stable_code():
    assert len(RULES) == len(MODULES) == len(BY_CODE)
    names = [r.name for r in RULES]
    assert len(set(names)) == len(names)
    for rule in RULES:
        assert re.fullmatch(r"Q\d{3}", rule.code), rule.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
        assert rule.severity in ("error", "warning", "yamllint"), rule.code
        assert rule.summary.endswith("."), rule.code
        assert f"### {rule.code}" in docs.render()


def test_quality_checks_are_warnings_by_default():
    assert {r.code for r in RULES if r.code.startswith("Q3")} == {
        r.code for r in RULES if r.code.startswith("Q3") and r.severity == "warning"
    }


def test_rules_with_examples_show_a_bad_and_a_good_case():
    for rule in RULES:
        if rule.code in ("Q000", "Q010", "Q011", "Q012", "Q013", "Q014", "Q015", "Q016"):
            continue  # about the file itself, not its content
        assert "Bad" in rule.doc and "Good" in rule.doc, rule.code
