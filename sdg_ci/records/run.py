"""The run record: what every generation run writes (summary.json).

This is the contract between generation (which fills it) and reporting (which renders and
publishes it). Add fields; never rename or remove one.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field


class StageCount(BaseModel):
    """Rows into and out of one stage of one leaf, and why the missing ones were dropped."""

    stage: str  # e.g. "questions", "question_critic", "answers", "pair_rating", "dedup"
    rows_in: int = 0
    rows_out: int = 0
    dropped: dict[str, int] = Field(default_factory=dict)  # reason class -> count


class PairExample(BaseModel):
    question: str
    answer: str
    context: str | None = None
    rating: int | None = None


class RejectionExample(BaseModel):
    stage: str
    # in our words, the verdict and its threshold: "critic: drop", "critic: rated 1 < 2",
    # "degenerate: repeats “…” 5 times", "parse_failure: …", "duplicate: …", "error: …"
    reason: str
    text: str  # the rejected question or pair, as the model wrote it
    count: int = 1  # how many rows were dropped for this reason
    quote: str | None = None  # the critic's own reason for the example row, as a quote


class Usage(BaseModel):
    requests: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @classmethod
    def total(cls, usages: Iterable[Usage]) -> Usage:
        """The sum of several leaves' (or workers') usage."""
        total = cls()
        for usage in usages:
            for name in cls.model_fields:
                setattr(total, name, getattr(total, name) + getattr(usage, name))
        return total


class LeafSummary(BaseModel):
    path: str  # leaf file, relative to the taxonomy root (…/qna.yaml)
    kind: str  # knowledge | freeform_skill | grounded_skill
    status: str = "modified"  # diff status: added | modified | renamed
    seeds: int = 0
    stages: list[StageCount] = Field(default_factory=list)
    questions_generated: int = 0
    questions_kept: int = 0
    answered: int = 0
    pairs_kept: int = 0
    rating_histogram: dict[str, int] = Field(default_factory=lambda: {"1": 0, "2": 0, "3": 0})
    mean_rating: float | None = None
    faithfulness_rate: float | None = None  # knowledge only
    duplicates: int = 0
    parse_failures: int = 0
    errors: int = 0
    kept_examples: list[PairExample] = Field(default_factory=list)
    rejections: list[RejectionExample] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # e.g. "teacher too weak: ..."
    teacher_too_weak: bool = False
    critic_too_weak: bool = False  # unreadable replies, or the same rating for every pair
    # the weak-critic signals, one sentence each ("kept 21 of 21 questions", "gave the
    # reason “one sentence” ..."); empty when the critic's judgements vary as they should
    weak_critic: list[str] = Field(default_factory=list)
    questions_new: int = 0  # generated questions left after dedup (into the critic)
    pairs_rated: int = 0  # pairs the rating (or knowledge eval) kept, before the final dedup
    degenerate: int = 0  # answers dropped as degenerate (loops, restated question, template)
    rejected_rows: int = 0  # every row lost, = the rows of rejected.jsonl (a failed call
    # counts the rows it lost: its `lost_rows`)
    seed_leakage: int = 0  # questions repeating a seed question (also counted in duplicates)
    usage: Usage = Field(default_factory=Usage)
    wall_s: float = 0.0
    # why this leaf could not be read or generated (the run fails); None when it ran
    failure: str | None = None
    data_file: str | None = None  # kept pairs JSONL, relative to the output dir
    rejected_file: str | None = None


class ModelInfo(BaseModel):
    role: str  # teacher | critic
    model: str
    endpoint: str  # "embedded" or the base URL (never a key); replicas: their URLs, ", "-joined
    requests_per_replica: dict[str, int] = Field(default_factory=dict)  # by public URL


class RunSummary(BaseModel):
    schema_version: int = 1
    tool_version: str = ""
    scale: str = "preview"
    models: list[ModelInfo] = Field(default_factory=list)
    leaves: list[LeafSummary] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    wall_s: float = 0.0
    notes: list[str] = Field(default_factory=list)
    weak_critic_leaves: list[str] = Field(default_factory=list)  # leaves with a weak critic

    @property
    def pairs_kept(self) -> int:
        return sum(leaf.pairs_kept for leaf in self.leaves)

    @property
    def failed_leaves(self) -> list[LeafSummary]:
        """Leaves named for this run that could not be read or generated."""
        return [leaf for leaf in self.leaves if leaf.failure]
