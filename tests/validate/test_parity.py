"""Parity with the reference parser's verdicts on the shared corpus (skipped without it).

The corpus (real qna.yaml files and mutants with instructlab-schema 0.4.2's verdicts) is
read in place from ../shared/corpus by bench/parity.py; nothing is copied into the repo.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
CORPUS = PROJECT.parent / "shared" / "corpus"

pytestmark = pytest.mark.skipif(
    not (CORPUS / "mutants" / "verdicts.jsonl").is_file(),
    reason=f"the shared corpus is not at {CORPUS}",
)


def _parity():
    spec = importlib.util.spec_from_file_location("parity", PROJECT / "bench" / "parity.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["parity"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def parity():
    return _parity()


@pytest.fixture(scope="module")
def tallies(parity):
    return parity.run(CORPUS)


@pytest.mark.parametrize("mode", ["pr_ci", "file_version_mode", "default"])
def test_every_verdict_agrees_or_is_a_deliberate_difference(tallies, mode):
    tally = tallies[mode]
    assert tally.files == 175
    assert tally.unexplained == []
    assert tally.agree + len(tally.deliberate) == tally.files


def test_where_both_reject_we_report_every_reference_error_at_its_place(tallies):
    tally = tallies["default"]
    assert tally.ref_errors > 500
    assert tally.unlocated == []


def test_we_only_differ_where_a_careful_user_would_want_it(tallies):
    expectations = {}
    for line in (CORPUS / "mutants" / "verdicts.jsonl").read_text().splitlines():
        record = json.loads(line)
        expectations[f"mutants/{record['path']}"] = record["careful_user_expectation"]
    for name, _codes in tallies["pr_ci"].deliberate:
        assert expectations.get(name) in ("reject", "warn"), name


def test_every_oracle_gap_gets_an_error_or_a_warning(parity):
    from sdg_ci.validate.profiles import get_profile

    for line in (CORPUS / "mutants" / "verdicts.jsonl").read_text().splitlines():
        record = json.loads(line)
        if not record.get("oracle_gap"):
            continue
        result = parity.check(CORPUS, "mutants", record, get_profile("taxonomy-ci"))
        assert result.errors or result.warnings, record["id"]
