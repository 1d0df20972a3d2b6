"""The weak-critic signal: is the critic's filtering worth anything on this leaf?

Why: a small critic approves every question ("keep", 21 of 21) with the reason its prompt
showed as a format example ("one sentence"), and the summary then reads as if the data was
reviewed. Judged from the rows alone: one verdict or one score for (nearly) everything, its
reasons copying the prompt's placeholder or repeating one text, and a question critic whose
kept questions its own pair rating then mostly rejects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sdg_ci.generate.ledger.dedup import normalize
from sdg_ci.generate.ledger.rows import Row
from sdg_ci.records.stages import Stage

MIN_EVIDENCE = 5  # judge the critic on no fewer replies than this
ONE_ANSWER_SHARE = 0.95  # one verdict or score for this share of replies or more: no signal
SAME_REASON_SHARE = 0.9
PLACEHOLDER_SHARE = 0.5
DISAGREEMENT_SHARE = 0.5  # of the questions it kept, its rating rejects this share or more
# what the prompts show as the reason's format (normalized): a critic that copies it is not
# reading the question
PLACEHOLDERS = frozenset({"", "one sentence", "a one sentence reason", "reason",
                          "one sentence reason", "your reason", "short reason", "no reason given"})


def judge_critic(rows: Sequence[Row]) -> list[str]:
    """One plain sentence per weak-critic signal; empty when none shows."""
    signals = []
    verdicts = [r.scores[Stage.QUESTION_CRITIC.value]["verdict"] for r in rows
                if Stage.QUESTION_CRITIC.value in r.scores]
    one = _one_answer(verdicts)
    if one is not None:
        verdict, count = one
        signals.append(f"the question critic said “{verdict}” to {count} of {len(verdicts)} "
                       "questions")
    ratings = [_rating(r) for r in rows]
    ratings = [x for x in ratings if x is not None]
    one = _one_answer(ratings)
    if one is not None:
        rating, count = one
        signals.append(f"it gave {count} of {len(ratings)} pairs the same rating ({rating})")
    reasons = [normalize(text) for r in rows for text in _reasons(r)]
    if len(reasons) >= MIN_EVIDENCE:
        copied = sum(1 for x in reasons if x in PLACEHOLDERS)
        text, count = Counter(reasons).most_common(1)[0]
        if copied / len(reasons) >= PLACEHOLDER_SHARE:
            signals.append(f"{copied} of its {len(reasons)} reasons copy the prompt's "
                           "placeholder or are empty")
        elif count / len(reasons) >= SAME_REASON_SHARE:
            signals.append(f"{count} of its {len(reasons)} reasons are the same text "
                           f"(“{text[:60]}”)")
    kept = [r for r in rows if r.scores.get(Stage.QUESTION_CRITIC.value, {}).get("verdict")
            == "keep" and _rating(r) is not None]
    rejected = [r for r in kept if r.reason_class == "critic"
                and r.stage in (Stage.PAIR_RATING, Stage.PAIR_EVAL)]
    if len(kept) >= MIN_EVIDENCE and len(rejected) / len(kept) >= DISAGREEMENT_SHARE:
        signals.append(f"its pair rating rejected {len(rejected)} of the {len(kept)} questions "
                       "its question critic had kept")
    return signals


def _one_answer(values: list) -> tuple[object, int] | None:
    if len(values) < MIN_EVIDENCE:
        return None
    value, count = Counter(values).most_common(1)[0]
    return (value, count) if count / len(values) >= ONE_ANSWER_SHARE else None


def _rating(row: Row) -> int | None:
    for stage in (Stage.PAIR_RATING, Stage.PAIR_EVAL):
        if stage.value in row.scores:
            return row.scores[stage.value]["rating"]
    return None


def _reasons(row: Row) -> list[str]:
    out = []
    for stage, keys in ((Stage.QUESTION_CRITIC, ("reason",)), (Stage.PAIR_RATING, ("reason",)),
                        (Stage.PAIR_EVAL, ("faithfulness_reason", "relevancy_reason",
                                           "rating_reason"))):
        score = row.scores.get(stage.value)
        if score:
            out.extend(str(score.get(k, "")) for k in keys)
    return out
