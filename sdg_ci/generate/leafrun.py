"""Book-keeping for one leaf while it runs: stage counts, rows, failures, usage.

Why: every row that enters a stage leaves it exactly once (passed or dropped with a reason
class), so `rows_in == rows_out + sum(dropped)` holds for every stage by construction.
"""

from __future__ import annotations

from sdg_ci.generate.endpoint import Tally
from sdg_ci.generate.rows import Failure, Row
from sdg_ci.records.run import StageCount
from sdg_ci.taxonomy.leaf import Leaf


class LeafRun:
    def __init__(self, leaf: Leaf, index: int, status: str, progress=None):
        self.leaf = leaf
        self.index = index
        self.status = status
        self.stages: dict[str, StageCount] = {}
        self.rows: list[Row] = []
        self.failures: list[Failure] = []
        self.tally = Tally()
        self.notes: list[str] = []
        self.errors = 0  # leaf-level failures (documents, unreadable leaf)
        self.seeds = 0
        self.progress = progress
        self.questions_per_context = 1  # a lost context loses this many rows

    @property
    def path(self) -> str:
        return self.leaf.rel_path

    def stage(self, name: str) -> StageCount:
        if name not in self.stages:
            self.stages[name] = StageCount(stage=name)
        return self.stages[name]

    def enter(self, name: str, count: int = 1) -> None:
        self.stage(name).rows_in += count
        if self.progress:
            self.progress.rows(name, rows_in=count)

    def passed(self, name: str, count: int = 1) -> None:
        self.stage(name).rows_out += count
        if self.progress:
            self.progress.rows(name, rows_out=count)

    def drop(self, name: str, reason_class: str, count: int = 1) -> None:
        dropped = self.stage(name).dropped
        dropped[reason_class] = dropped.get(reason_class, 0) + count
        if self.progress:
            self.progress.rows(name, dropped=count)

    def reject(self, row: Row, stage: str, reason_class: str, reason: str,
               raw: str | None = None) -> None:
        row.status, row.stage, row.reason_class, row.reason, row.raw = (
            "rejected", stage, reason_class, reason, raw)
        self.drop(stage, reason_class)
        if self.progress and stage != "pair_dedup":
            self.progress.finished(1)

    def keep(self, row: Row) -> None:
        row.status = "kept"
        if self.progress:
            self.progress.finished(1)

    def plan(self, rows: int) -> None:
        """Rows this leaf expects to produce (for the progress ETA)."""
        if self.progress:
            self.progress.plan(rows)

    def fail(self, failure: Failure) -> None:
        self.failures.append(failure)
        self.drop(failure.stage, failure.reason_class, failure.lost)
        if self.progress:
            per_row = self.questions_per_context if failure.stage == "contexts" else 1
            self.progress.finished(failure.lost * per_row)
