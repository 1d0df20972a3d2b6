"""Quality gates: per-leaf thresholds on what generation kept, per taxonomy subtree.

`.sdg-ci.yaml`:

    gates:
      default:                      # every leaf
        min_kept_pairs: 1           # pairs kept after the critic's rating
        min_mean_rating: 2.0        # mean 1-3 rating of the answered pairs
        max_parse_failure_rate: 0.5 # model replies that did not parse / replies parsed
        max_duplicate_rate: 0.5     # duplicate or seed-repeating questions / generated
        min_faithfulness_rate: 0.5  # knowledge: faithful answers / answers judged
      subtrees:                     # a prefix of the taxonomy path; longer prefixes win
        knowledge/science:
          min_kept_pairs: 5
        compositional_skills/experimental:
          min_mean_rating: null     # null turns a gate off

A failed gate names the leaf, the measured number and the threshold. A gate whose measure
does not exist for a leaf (no rated pair yet, a rate over zero rows, faithfulness for a
skill) is not evaluated; the kept-pairs gate covers an empty leaf.
"""

from __future__ import annotations

from sdg_ci.config import GatesConfig, GateSettings, subtree_matches
from sdg_ci.records.gates import GateResult
from sdg_ci.records.run import LeafSummary, RunSummary
from sdg_ci.records.stages import CRITIC_STAGES, TEACHER_STAGES

__all__ = ["GateResult", "evaluate", "evaluate_leaf", "failures", "parse_attempts",
           "settings_for"]


def settings_for(leaf_path: str, config: GatesConfig) -> GateSettings:
    """The defaults, overridden by every subtree that contains `leaf_path`, shortest first."""
    merged = config.default.model_dump()
    for overrides in subtree_matches(leaf_path, config.subtrees):
        merged.update(overrides.model_dump(exclude_unset=True))
    return GateSettings.model_validate(merged)


def parse_attempts(leaf: LeafSummary) -> int:
    """Model replies that had to be parsed for this leaf (the parse-failure rate's base).

    Per-stage counts when the summary has them (rows into every model stage, plus the
    failures), else an estimate from the funnel: each generated question was judged, each
    kept question answered, each answer rated.
    """
    model_stages = [s for s in leaf.stages if s.stage in TEACHER_STAGES + CRITIC_STAGES]
    from_stages = sum(s.rows_in for s in model_stages)
    from_funnel = leaf.questions_generated + leaf.questions_kept + leaf.answered
    return max(from_stages, from_funnel) + leaf.parse_failures


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}"


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def evaluate_leaf(leaf: LeafSummary, settings: GateSettings) -> list[GateResult]:
    """Every gate that applies to `leaf`, passed or not, in a fixed order."""
    results: list[GateResult] = []

    def add(gate: str, value: float, threshold: float, passed: bool, text: str) -> None:
        message = text if passed else f"{leaf.path}: {text} ({gate})"
        results.append(
            GateResult(
                leaf=leaf.path,
                gate=gate,
                value=value,
                threshold=threshold,
                passed=passed,
                message=message,
            )
        )

    if settings.min_kept_pairs is not None:
        n, t = leaf.pairs_kept, settings.min_kept_pairs
        add(
            "min_kept_pairs",
            n,
            t,
            n >= t,
            f"{n} pair{'s' if n != 1 else ''} kept; at least {t} required",
        )
    if settings.min_mean_rating is not None and leaf.mean_rating is not None:
        v, t = leaf.mean_rating, settings.min_mean_rating
        add(
            "min_mean_rating",
            v,
            t,
            v >= t,
            f"mean rating {_fmt(v)}; at least {_fmt(t)} required",
        )
    attempts = parse_attempts(leaf)
    if settings.max_parse_failure_rate is not None and attempts and leaf.parse_failures:
        v, t = leaf.parse_failures / attempts, settings.max_parse_failure_rate
        add(
            "max_parse_failure_rate",
            v,
            t,
            v <= t,
            f"{leaf.parse_failures} of {attempts} model replies did not parse ({_pct(v)}); "
            f"at most {_pct(t)} allowed",
        )
    elif settings.max_parse_failure_rate is not None and attempts:
        t = settings.max_parse_failure_rate
        add("max_parse_failure_rate", 0.0, t, True, "no parse failure")
    if settings.max_duplicate_rate is not None and leaf.questions_generated:
        v, t = leaf.duplicates / leaf.questions_generated, settings.max_duplicate_rate
        add(
            "max_duplicate_rate",
            v,
            t,
            v <= t,
            f"{leaf.duplicates} of {leaf.questions_generated} generated questions were "
            f"duplicates ({_pct(v)}); at most {_pct(t)} allowed",
        )
    if (
        settings.min_faithfulness_rate is not None
        and leaf.kind == "knowledge"
        and leaf.faithfulness_rate is not None
    ):
        v, t = leaf.faithfulness_rate, settings.min_faithfulness_rate
        add(
            "min_faithfulness_rate",
            v,
            t,
            v >= t,
            f"faithfulness {_pct(v)}; at least {_pct(t)} required",
        )
    return results


def evaluate(summary: RunSummary, config: GatesConfig) -> list[GateResult]:
    """All gates for every generated leaf of `summary`."""
    results: list[GateResult] = []
    for leaf in summary.leaves:
        results.extend(evaluate_leaf(leaf, settings_for(leaf.path, config)))
    return results


def failures(results: list[GateResult]) -> list[GateResult]:
    """The gates that did not pass."""
    return [r for r in results if not r.passed]
