"""From a finished leaf's ledger to its LeafSummary: counts, histograms, examples, plain notes.

Why here and not in the stages: the summary is read by people deciding whether to merge, so
the judgement calls ("the teacher is too weak", "the critic gives no signal") live in one
place, next to the thresholds that make them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from sdg_ci.generate.ledger.critic import judge_critic
from sdg_ci.generate.ledger.ledger import LeafLedger
from sdg_ci.generate.ledger.rows import Row
from sdg_ci.records.run import LeafSummary, PairExample, RejectionExample, StageCount
from sdg_ci.records.stages import CRITIC_STAGES, TEACHER_STAGES, Stage, pipeline_order

WEAK_PARSE_RATE = 0.5  # at least half of a model's outputs unreadable
WEAK_KEEP_RATE = 0.2  # under a fifth of the generated questions end as kept pairs
WEAK_DUPLICATE_RATE = 0.5
MIN_EVIDENCE = 5  # do not judge a model on fewer outputs than this
MAX_REJECTIONS = 10
MAX_EXAMPLES = 3
QUOTE_SEPARATOR = " — "  # our words, then the model's quoted reason (flows/steps.py)
PARENTHESES = re.compile(r"\s*\([^)]*\)")


def rating_of(row: Row) -> int | None:
    for stage in (Stage.PAIR_RATING, Stage.PAIR_EVAL):
        if stage.value in row.scores:
            return row.scores[stage.value]["rating"]
    return None


def reason_text(reason_class: str, reason: str | None) -> str:
    return f"{reason_class}: {reason}" if reason else reason_class


def split_reason(reason_class: str, reason: str | None) -> tuple[str, str | None]:
    """(the group a rejection is counted in, the model's quote): the group is our words
    only, so one verdict is one group whatever the model wrote; call failures are grouped
    without their details in parentheses (attempt counts, the last error)."""
    head, quote = reason or "", None
    if QUOTE_SEPARATOR in head:
        head, quote = head.split(QUOTE_SEPARATOR, 1)
    if reason_class == "error":
        head = PARENTHESES.sub("", head).strip()
    return reason_text(reason_class, head), quote


def summarize(ledger: LeafLedger, wall_s: float) -> LeafSummary:
    stages = sorted(ledger.stages.values(), key=lambda s: pipeline_order(s.stage))
    by = {s.stage: s for s in stages}
    dropped = Counter()
    for stage in stages:
        dropped.update(stage.dropped)
    kept = sorted((r for r in ledger.rows if r.status == "kept"), key=lambda r: r.order)
    ratings = [r for r in (rating_of(row) for row in ledger.rows) if r is not None]
    histogram = {str(k): 0 for k in (1, 2, 3)}
    for value in ratings:
        histogram[str(value)] += 1
    evals = [row.scores[Stage.PAIR_EVAL.value] for row in ledger.rows
             if Stage.PAIR_EVAL.value in row.scores]
    generated = by["questions"].rows_out if "questions" in by else 0
    summary = LeafSummary(
        path=ledger.path,
        kind=ledger.leaf.kind.value,
        status=ledger.status,
        seeds=ledger.seeds,
        stages=stages,
        questions_generated=generated,
        questions_new=by["dedup"].rows_out if "dedup" in by else 0,
        questions_kept=by["question_critic"].rows_out if "question_critic" in by else 0,
        answered=by["answers"].rows_out if "answers" in by else 0,
        pairs_rated=sum(by[s].rows_out for s in ("pair_rating", "pair_eval") if s in by),
        degenerate=dropped["degenerate"],
        pairs_kept=len(kept),
        rating_histogram=histogram,
        mean_rating=round(sum(ratings) / len(ratings), 3) if ratings else None,
        faithfulness_rate=(round(sum(e["faithful"] for e in evals) / len(evals), 3)
                           if evals else None),
        duplicates=dropped["duplicate"] + dropped["seed_leakage"],
        seed_leakage=dropped["seed_leakage"],
        parse_failures=dropped["parse_failure"],
        errors=dropped["error"] + dropped["too_long"] + ledger.errors,
        kept_examples=examples(kept),
        rejections=rejections(ledger),
        rejected_rows=(sum(1 for r in ledger.rows if r.status == "rejected")
                       + sum(f.lost for f in ledger.failures)),
        usage=ledger.usage.model_copy(),
        wall_s=round(wall_s, 3),
    )
    summary.notes = (list(ledger.notes) + judge_models(summary, by, ratings)
                     + error_notes(ledger))
    summary.failure = ledger.failure or calls_failed(summary, ledger)
    summary.weak_critic = judge_critic(ledger.rows)
    if summary.weak_critic:
        summary.critic_too_weak = True
        summary.notes.append(weak_critic_note(summary.weak_critic))
    return summary


def calls_failed(summary: LeafSummary, ledger: LeafLedger) -> str | None:
    """A leaf that kept nothing because its model calls failed was not generated."""
    if summary.pairs_kept:
        return None
    errors = [r.reason for r in ledger.rows if r.reason_class in ("error", "too_long")]
    errors += [f.reason for f in ledger.failures if f.reason_class in ("error", "too_long")]
    if not errors:
        return None
    return f"no pair kept: {len(errors)} model calls failed ({errors[0]})"


def weak_critic_note(signals: list[str]) -> str:
    return ("weak critic: " + "; ".join(signals) + ". Its filtering means little: point "
            "generate.critic at a stronger model (a different one from the teacher), then "
            "read a few rows of rejected.jsonl and pairs.jsonl to check its verdicts.")


def examples(kept: list[Row]) -> list[PairExample]:
    best = sorted(kept, key=lambda r: (-(rating_of(r) or 0), r.order))[:MAX_EXAMPLES]
    return [PairExample(question=r.question, answer=r.answer or "", context=r.context,
                        rating=rating_of(r)) for r in best]


def rejections(ledger: LeafLedger) -> list[RejectionExample]:
    """The most common rejection reasons (in our words), each with one example and the
    critic's quote for it; a failed call counts every row it lost."""
    groups: dict[tuple[str, str], RejectionExample] = {}
    items = [(r.stage, r.reason_class, r.reason, _row_text(r), 1)
             for r in sorted(ledger.rows, key=lambda r: r.order) if r.status == "rejected"]
    items += [(f.stage, f.reason_class, f.reason, (f.raw or f.label)[:2000], f.lost)
              for f in ledger.failures]
    for stage, reason_class, reason, text, count in items:
        group, quote = split_reason(reason_class or "", reason)
        key = (stage, group)
        if key in groups:
            groups[key].count += count
        else:
            groups[key] = RejectionExample(stage=stage, reason=group, text=text, count=count,
                                           quote=quote)
    ordered = sorted(groups.values(), key=lambda g: -g.count)
    return ordered[:MAX_REJECTIONS]


def _row_text(row: Row) -> str:
    if row.raw is not None:
        return row.raw[:2000]
    if row.answer is not None:
        return f"Q: {row.question}\nA: {row.answer}"[:2000]
    return row.question[:2000]


def _rate(by: dict[str, StageCount], stages: Sequence[Stage],
          reason_class: str) -> tuple[int, int]:
    asked = sum(by[s].rows_in for s in stages if s in by)
    failed = sum(by[s].dropped.get(reason_class, 0) for s in stages if s in by)
    return failed, asked


def judge_models(summary: LeafSummary, by: dict[str, StageCount],
                 ratings: list[int]) -> list[str]:
    """Plain sentences when the models are too weak for their outputs to mean much."""
    notes = []
    weak = []
    failed, asked = _rate(by, TEACHER_STAGES, "parse_failure")
    if asked >= MIN_EVIDENCE and failed / asked >= WEAK_PARSE_RATE:
        weak.append(f"{failed} of {asked} teacher outputs could not be read")
    generated = summary.questions_generated
    if generated >= MIN_EVIDENCE and summary.duplicates / generated >= WEAK_DUPLICATE_RATE:
        weak.append(f"{summary.duplicates} of {generated} questions repeat each other or a seed")
    if generated >= MIN_EVIDENCE and summary.pairs_kept / generated < WEAK_KEEP_RATE:
        weak.append(f"only {summary.pairs_kept} of {generated} generated questions became "
                    "kept pairs")
    if weak:
        summary.teacher_too_weak = True
        notes.append("teacher too weak: " + "; ".join(weak) +
                     ". Point generate.teacher at a stronger model for real data.")
    failed, asked = _rate(by, CRITIC_STAGES, "parse_failure")
    if asked >= MIN_EVIDENCE and failed / asked >= WEAK_PARSE_RATE:
        summary.critic_too_weak = True
        notes.append(f"critic too weak: {failed} of {asked} critic replies could not be read.")
    return notes


def error_notes(ledger: LeafLedger) -> list[str]:
    notes = []
    too_long = [r.reason for r in ledger.rows if r.reason_class == "too_long"]
    too_long += [f.reason for f in ledger.failures if f.reason_class == "too_long"]
    for reason in dict.fromkeys(too_long):
        notes.append(f"too long: {reason}")
    errors = Counter(r.reason for r in ledger.rows if r.reason_class == "error")
    for failure in ledger.failures:
        if failure.reason_class == "error":
            errors[failure.reason] += 1
    if errors:
        total = sum(errors.values())
        top = "; ".join(f"{reason} ({count})" for reason, count in errors.most_common(3))
        notes.append(f"{total} model calls failed after retries: {top}. If the endpoint "
                     "was down, see the run's notes for its URL and what to check; once it "
                     "answers, a re-run replays finished calls from the cache and retries "
                     "these.")
    return notes
