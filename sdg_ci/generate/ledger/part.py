"""Part of a leaf's ledger: what one process generated of a leaf split into groups of units,
small and picklable, and the merge of a leaf's parts back into one ledger.

Why: a large knowledge leaf is generated in groups of chunks on several workers (a Ray
build). Rows are deterministic per row (ids, output order and sampling seeds come from the
unit), the in-unit dedup is per unit, and the leaf-level counts (seeds, chunks) are made by
group 0 only; so the merged ledger holds exactly the rows and counts of one process, and
the leaf is finished (final dedup, summary, files) from it as from a local run's ledger.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sdg_ci.generate.ledger.ledger import LeafLedger
from sdg_ci.generate.ledger.rows import Failure, Row
from sdg_ci.records.run import StageCount, Usage
from sdg_ci.records.stages import Stage
from sdg_ci.taxonomy.leaf import Leaf

CALL_ERRORS = ("error", "too_long")  # reason classes of model calls that failed


@dataclass
class LeafPart:
    """One group of a leaf's units as generated, before the leaf is finished."""

    path: str  # the leaf file, relative to the taxonomy root
    group: int  # which group of its units (0: the one that also counts the leaf's seeds)
    groups: int  # how many groups the leaf has
    rows: list[Row] = field(default_factory=list)
    stages: dict[Stage, StageCount] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    notes: list[str] = field(default_factory=list)
    errors: int = 0
    failure: str | None = None
    seeds: int = 0
    wall_s: float = 0.0

    @property
    def call_errors(self) -> int:
        return call_errors(self.stages, self.errors)


def call_errors(stages: Mapping[Stage, StageCount], errors: int) -> int:
    """Failed model calls and leaf-level errors, as the leaf's summary counts them."""
    return errors + sum(count.dropped.get(reason, 0) for count in stages.values()
                        for reason in CALL_ERRORS)


def part_of(ledger: LeafLedger, group: int, groups: int, wall_s: float) -> LeafPart:
    """The ledger of one group, detached from its run (no progress display, no leaf)."""
    return LeafPart(path=ledger.path, group=group, groups=groups, rows=list(ledger.rows),
                    stages=dict(ledger.stages), failures=list(ledger.failures),
                    usage=ledger.usage.model_copy(), notes=list(ledger.notes),
                    errors=ledger.errors, failure=ledger.failure, seeds=ledger.seeds,
                    wall_s=wall_s)


class PartsError(ValueError):
    """A leaf's parts do not make one whole leaf (a group missing, or groups disagree)."""


def merge_parts(leaf: Leaf, index: int, status: str, parts: Sequence[LeafPart]) -> LeafLedger:
    """One ledger from all the groups of `leaf`, as if it had been generated in one go."""
    ordered = sorted(parts, key=lambda p: p.group)
    counts = {p.groups for p in ordered}
    groups = [p.group for p in ordered]
    if len(counts) != 1 or groups != list(range(counts.pop())):
        split = "/".join(str(n) for n in sorted({p.groups for p in ordered})) or "?"
        raise PartsError(f"{leaf.rel_path}: groups {groups} of a leaf split into {split} "
                         "groups do not make the whole leaf")
    ledger = LeafLedger(leaf, index, status)
    for part in ordered:
        ledger.rows.extend(part.rows)
        for stage, count in part.stages.items():
            total = ledger.stage(stage)
            total.rows_in += count.rows_in
            total.rows_out += count.rows_out
            for reason, n in count.dropped.items():
                total.dropped[reason] = total.dropped.get(reason, 0) + n
        ledger.failures.extend(part.failures)
        ledger.notes.extend(part.notes if part.group == 0 else
                            [n for n in part.notes if n not in ledger.notes])
        ledger.errors += part.errors
        ledger.failure = ledger.failure or part.failure
        ledger.seeds += part.seeds
    ledger.usage = Usage.total(p.usage for p in ordered)
    return ledger
