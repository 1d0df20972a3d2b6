"""The ledger of one leaf while it runs: stage counts, rows, failures, usage.

Why: every row that enters a stage leaves it exactly once (passed, or dropped with a reason
class), so `rows_in == rows_out + sum(dropped)` holds for every stage by construction.
"""

from __future__ import annotations

from sdg_ci.generate.ledger.progress import Progress
from sdg_ci.generate.ledger.rows import Failure, Row
from sdg_ci.records.run import StageCount, Usage
from sdg_ci.records.stages import Stage
from sdg_ci.taxonomy.leaf import Leaf


class LeafLedger:
    def __init__(self, leaf: Leaf, index: int, status: str, progress: Progress | None = None):
        self.leaf = leaf
        self.index = index  # its place in the run: ties in scheduling go to earlier leaves
        self.status = status
        self.stages: dict[Stage, StageCount] = {}
        self.rows: list[Row] = []
        self.failures: list[Failure] = []
        self.usage = Usage()
        self.notes: list[str] = []
        self.errors = 0  # leaf-level failures (documents, unreadable leaf)
        self.failure: str | None = None  # why the leaf could not be generated
        self.seeds = 0
        self.progress = progress
        # questions kept by earlier rounds (a build's top-up): new ones must differ
        self.asked: list[str] = []
        self.questions_per_context = 1  # a lost context loses this many rows

    @property
    def path(self) -> str:
        return self.leaf.rel_path

    def stage(self, stage: Stage) -> StageCount:
        if stage not in self.stages:
            self.stages[stage] = StageCount(stage=stage)
        return self.stages[stage]

    def enter(self, stage: Stage, count: int = 1) -> None:
        self.stage(stage).rows_in += count
        if self.progress:
            self.progress.rows(stage, rows_in=count)

    def passed(self, stage: Stage, count: int = 1) -> None:
        self.stage(stage).rows_out += count
        if self.progress:
            self.progress.rows(stage, rows_out=count)

    def drop(self, stage: Stage, reason_class: str, count: int = 1) -> None:
        dropped = self.stage(stage).dropped
        dropped[reason_class] = dropped.get(reason_class, 0) + count
        if self.progress:
            self.progress.rows(stage, dropped=count)

    def reject(self, row: Row, stage: Stage, reason_class: str, reason: str,
               raw: str | None = None) -> None:
        row.status, row.stage, row.reason_class, row.reason, row.raw = (
            "rejected", stage, reason_class, reason, raw)
        self.drop(stage, reason_class)
        if self.progress and stage is not Stage.PAIR_DEDUP:
            self.progress.finished(1)

    def keep(self, row: Row) -> None:
        row.status = "kept"
        if self.progress:
            self.progress.finished(1)

    def plan(self, rows: int) -> None:
        """Rows this leaf expects to produce (for the progress ETA)."""
        if self.progress:
            self.progress.plan(rows)

    def give_up(self, why: str) -> None:
        """The leaf cannot be generated (its documents, an internal error): the run fails."""
        self.errors += 1
        self.notes.append(why)
        self.failure = self.failure or why

    def fail(self, failure: Failure) -> None:
        self.failures.append(failure)
        self.drop(failure.stage, failure.reason_class, failure.lost)
        if self.progress:
            per_row = self.questions_per_context if failure.stage is Stage.CONTEXTS else 1
            self.progress.finished(failure.lost * per_row)
