"""The steps a row's chain is built from, each with its accept rule.

Why the accept rule sits with the step: what a stage records on the row (the critic's
verdict, the answer, the scores) and when the row stops are one decision.
"""

from __future__ import annotations

from sdg_ci.config import GenerateSettings
from sdg_ci.generate.flows.flow import Step
from sdg_ci.generate.ledger.rows import Row
from sdg_ci.generate.model import parse
from sdg_ci.records.stages import Stage


def accept_verdict(settings: GenerateSettings, row: Row,
                   value: tuple[bool, str]) -> tuple[bool, str]:
    keep, reason = value
    row.scores[Stage.QUESTION_CRITIC.value] = {"verdict": "keep" if keep else "drop",
                                               "reason": reason}
    return keep, reason


def accept_answer(settings: GenerateSettings, row: Row, value: str) -> tuple[bool, str]:
    row.answer = value
    return True, ""


def accept_rating(settings: GenerateSettings, row: Row,
                  value: tuple[int, str]) -> tuple[bool, str]:
    rating, reason = value
    row.scores[Stage.PAIR_RATING.value] = {"rating": rating, "reason": reason}
    minimum = settings.min_pair_rating
    return rating >= minimum, f"rated {rating} (< {minimum}): {reason}"


def question_critic(prompt: str) -> Step:
    """The critic keeps or drops the question."""
    return Step(Stage.QUESTION_CRITIC, prompt, parse.verdict, accept_verdict)


def answer(prompt: str) -> Step:
    """The teacher answers the question."""
    return Step(Stage.ANSWERS, prompt, parse.plain_text, accept_answer)


def pair_rating(prompt: str) -> Step:
    """The critic rates the pair 1-3; kept at `min_pair_rating` or above."""
    return Step(Stage.PAIR_RATING, prompt, parse.rating, accept_rating)
