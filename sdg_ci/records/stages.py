"""The stages a generated row goes through, in pipeline order, with what each one is.

Why one type: the summary's stage names, the pipeline order it is sorted by, the scheduling
rank of the model calls, the progress line's short labels and which model (teacher or
critic) a stage asks all follow from the stage; kept together they cannot drift apart. The
values are the names written to summary.json (`StageCount.stage`) and must never change.
"""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    """Which model a stage asks: the teacher writes, the critic filters and rates."""

    TEACHER = "teacher"
    CRITIC = "critic"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


class Stage(str, Enum):
    """One stage of a leaf's pipeline; members are listed in pipeline order."""

    CHUNKS = "chunks"  # knowledge: document chunks selected at this scale
    CONTEXTS = "contexts"  # grounded skill: the teacher writes contexts like the seed's
    QUESTIONS = "questions"  # the teacher writes questions
    DEDUP = "dedup"  # duplicates and seed repeats within a group
    QUESTION_CRITIC = "question_critic"  # the critic keeps or drops each question
    ANSWERS = "answers"  # the teacher answers
    ANSWER_CHECK = "answer_check"  # degenerate answers (loops, restated question, template)
    PAIR_RATING = "pair_rating"  # skills: the critic rates the pair 1-3
    PAIR_EVAL = "pair_eval"  # knowledge: faithfulness, relevancy and rating
    PAIR_DEDUP = "pair_dedup"  # duplicates across the whole leaf, after the chain

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @property
    def order(self) -> int:
        """Position in the pipeline (the summary lists stages in this order)."""
        return _ORDER[self]

    @property
    def role(self) -> Role | None:
        """The model this stage asks; None for the bookkeeping stages."""
        return _ROLES.get(self)

    @property
    def is_model_stage(self) -> bool:
        return self in _ROLES

    @property
    def rank(self) -> int:
        """Scheduling rank of its model calls: the longest remaining chain goes first
        (shortest makespan). Only model stages are scheduled."""
        return _RANKS[self]

    @property
    def short(self) -> str | None:
        """Its label on the progress line; None when the line does not show it."""
        return _SHORT.get(self)


def pipeline_order(name: str) -> int:
    """Sort key for a stage name read back from a summary (unknown names go last)."""
    try:
        return Stage(name).order
    except ValueError:
        return len(_ORDER)


_ORDER = {stage: index for index, stage in enumerate(Stage)}
_ROLES = {
    Stage.CONTEXTS: Role.TEACHER, Stage.QUESTIONS: Role.TEACHER, Stage.ANSWERS: Role.TEACHER,
    Stage.QUESTION_CRITIC: Role.CRITIC, Stage.PAIR_RATING: Role.CRITIC,
    Stage.PAIR_EVAL: Role.CRITIC,
}
_RANKS = {Stage.CONTEXTS: 0, Stage.QUESTIONS: 1, Stage.QUESTION_CRITIC: 2, Stage.ANSWERS: 3,
          Stage.PAIR_RATING: 4, Stage.PAIR_EVAL: 4}
_SHORT = {Stage.CHUNKS: "chunks", Stage.CONTEXTS: "ctx", Stage.QUESTIONS: "q",
          Stage.QUESTION_CRITIC: "critic", Stage.ANSWERS: "answers",
          Stage.ANSWER_CHECK: "check",
          Stage.PAIR_RATING: "rating", Stage.PAIR_EVAL: "eval"}

TEACHER_STAGES: tuple[Stage, ...] = tuple(s for s in Stage if s.role is Role.TEACHER)
CRITIC_STAGES: tuple[Stage, ...] = tuple(s for s in Stage if s.role is Role.CRITIC)
