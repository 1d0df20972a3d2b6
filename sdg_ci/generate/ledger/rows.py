"""A row: one candidate question and everything that happened to it, start to verdict.

Why one record: the kept pairs, the rejected file and the summary are three views of the
same rows, so nothing can be counted in one place and forgotten in another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sdg_ci.records.stages import Stage


@dataclass
class Row:
    row_id: str
    order: tuple[int, int, int]  # (unit, context, question): the rows' fixed output order
    question: str
    seed_index: int | None = None
    context: str | None = None  # grounded skill: the generated context
    context_index: int | None = None
    chunk_id: str | None = None  # knowledge: the document chunk
    chunk_source: str | None = None
    chunk_heading: str | None = None
    answer: str | None = None
    scores: dict[str, dict] = field(default_factory=dict)  # stage -> critic's scores, reasons
    status: str = "pending"  # pending | kept | rejected
    stage: Stage | None = None  # where it was rejected
    # critic | parse_failure | duplicate | seed_leakage | error | too_long
    reason_class: str | None = None
    reason: str | None = None
    raw: str | None = None  # the reply that could not be parsed

    @property
    def label(self) -> str:
        """Where it came from, for messages a person reads."""
        if self.chunk_id is not None:
            return f"chunk {self.chunk_id}"
        if self.context_index is not None:
            return f"seed {self.seed_index + 1}, context {self.context_index + 1}"
        return f"seed {self.seed_index + 1}" if self.seed_index is not None else self.row_id


@dataclass
class Failure:
    """A generation call (questions, contexts) that produced fewer rows than asked."""

    stage: Stage
    reason_class: str
    reason: str
    lost: int  # rows that were asked for and did not come
    label: str
    seed_index: int | None = None
    chunk_id: str | None = None
    raw: str | None = None
