"""The steps a row's chain is built from, each with its accept rule.

Why the accept rule sits with the step: what a stage records on the row (the critic's
verdict, the answer, the scores) and when the row stops are one decision.

Why the reasons are written in our words first: a rejection must say what was decided and
against which threshold ("drop", "rated 1 < 2"); the model's own reason is only a quote
after it (`reason_head` is the part before the quote, the key rejections are grouped by).
"""

from __future__ import annotations

from sdg_ci.config import GenerateSettings
from sdg_ci.generate.flows.degeneracy import degenerate
from sdg_ci.generate.flows.flow import Check, Step
from sdg_ci.generate.ledger.rows import Row
from sdg_ci.generate.model import parse
from sdg_ci.records.stages import Stage

QUOTE_SEPARATOR = " — "
QUOTE_CHARS = 300


def quote(text: str) -> str:
    """The model's words, marked as a quote (one line, shortened)."""
    text = " ".join(str(text).split()) or "(no reason given)"
    if len(text) > QUOTE_CHARS:
        text = text[:QUOTE_CHARS - 1] + "…"
    return f"“{text}”"


def with_quote(head: str, model_reason: str) -> str:
    return f"{head}{QUOTE_SEPARATOR}{quote(model_reason)}"


def reason_head(reason: str) -> str:
    """Our words of a reason, without the model's quote."""
    return reason.split(QUOTE_SEPARATOR, 1)[0]


def accept_verdict(settings: GenerateSettings, row: Row,
                   value: tuple[bool, str]) -> tuple[bool, str]:
    keep, reason = value
    row.scores[Stage.QUESTION_CRITIC.value] = {"verdict": "keep" if keep else "drop",
                                               "reason": reason}
    return keep, with_quote("keep" if keep else "drop", reason)


def accept_answer(settings: GenerateSettings, row: Row, value: str) -> tuple[bool, str]:
    row.answer = value
    return True, ""


def accept_rating(settings: GenerateSettings, row: Row,
                  value: tuple[int, str]) -> tuple[bool, str]:
    rating, reason = value
    row.scores[Stage.PAIR_RATING.value] = {"rating": rating, "reason": reason}
    minimum = settings.min_pair_rating
    if rating >= minimum:
        return True, f"rated {rating} ≥ {minimum}"
    return False, with_quote(f"rated {rating} < {minimum}", reason)


def accept_eval(settings: GenerateSettings, row: Row, value: dict) -> tuple[bool, str]:
    """Knowledge: kept when faithful, relevancy and rating at their minimums or above."""
    row.scores[Stage.PAIR_EVAL.value] = value
    heads, quotes = [], []
    if not value["faithful"]:
        heads.append("not faithful to the chunk")
        quotes.append(f"faithfulness: {quote(value['faithfulness_reason'])}")
    if value["relevancy"] < settings.min_relevancy:
        heads.append(f"relevancy {value['relevancy']} < {settings.min_relevancy}")
        quotes.append(f"relevancy: {quote(value['relevancy_reason'])}")
    if value["rating"] < settings.min_pair_rating:
        heads.append(f"rated {value['rating']} < {settings.min_pair_rating}")
        quotes.append(f"rating: {quote(value['rating_reason'])}")
    if not heads:
        return True, "faithful, relevant and rated high enough"
    return False, "; ".join(heads) + QUOTE_SEPARATOR + "; ".join(quotes)


def question_critic(prompt: str) -> Step:
    """The critic keeps or drops the question."""
    return Step(Stage.QUESTION_CRITIC, prompt, parse.verdict, accept_verdict)


def answer(prompt: str) -> Step:
    """The teacher answers the question."""
    return Step(Stage.ANSWERS, prompt, parse.plain_text, accept_answer)


def answer_check() -> Check:
    """Degenerate answers (loops, the question restated, template text) go before the
    critic rates them: a weak critic rates them as well as anything else."""
    return Check(Stage.ANSWER_CHECK, "degenerate", degenerate)


def pair_rating(prompt: str) -> Step:
    """The critic rates the pair 1-3; kept at `min_pair_rating` or above."""
    return Step(Stage.PAIR_RATING, prompt, parse.rating, accept_rating)
