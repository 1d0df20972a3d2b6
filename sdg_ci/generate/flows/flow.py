"""What a leaf kind is, declared: its fan-out, its question prompt and its chain of steps.

Why declarative: every kind does the same four things (write questions, build rows, admit
them, run each row through critic -> answer -> judge); only where the questions come from
(a seed, a seed's generated context, a document chunk), the prompts, the row fields and the
judge differ. A kind states those (see `freeform.py`, `grounded.py`, `knowledge.py`) and
`pipeline.run_flow` runs any of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sdg_ci.config import GenerateSettings
from sdg_ci.generate.flows.context import RunContext
from sdg_ci.generate.ledger.ledger import LeafLedger
from sdg_ci.generate.ledger.rows import Row
from sdg_ci.records.stages import Role, Stage
from sdg_ci.taxonomy.leaf import LeafKind

# (settings, row, parsed reply) -> (keep, reason); records what it judged on the row
Accept = Callable[[GenerateSettings, Row, Any], tuple[bool, str]]


@dataclass(frozen=True)
class Step:
    """One model stage of a row's chain: the prompt it renders, how its reply is read, and
    whether the row goes on."""

    stage: Stage
    prompt: str  # a file in generate/model/prompts/ (its `stage` and `role` match this one)
    parse: Callable[[str], Any]
    accept: Accept

    @property
    def role(self) -> Role:
        role = self.stage.role
        assert role is not None, f"{self.stage} is not a model stage"
        return role


# (settings, row) -> (keep, reason): a rule on the row's text, no model asked
Rule = Callable[[GenerateSettings, Row], tuple[bool, str]]


@dataclass(frozen=True)
class Check:
    """A stage of a row's chain that asks no model: a rule on what the row holds so far;
    a row it stops is dropped with `reason_class`."""

    stage: Stage
    reason_class: str
    rule: Rule


@dataclass(frozen=True)
class Unit:
    """One source of questions: a seed, a seed's generated context, or a document chunk."""

    variables: Mapping[str, object]  # the prompts' $names (the row adds question, answer)
    label: str  # for people: "seed 2", "seed 2, context 1", "chunk 3 (guide.md)"
    group: tuple[int, ...]  # its place in the leaf: scheduling ties and the row ids
    row_prefix: str  # row ids are f"{row_prefix}-q{j}"
    count: int  # questions to ask for
    avoid: Sequence[str]  # questions a new one must not repeat (the leaf's seed questions)
    row_fields: Mapping[str, object] = field(default_factory=dict)  # copied onto each Row
    seed_index: int | None = None  # recorded with a failed question call
    chunk_id: str | None = None

    @property
    def order(self) -> tuple[int, int]:
        """The first two parts of its rows' output order (unit, context)."""
        return (self.group[0], self.group[1] if len(self.group) > 1 else 0)


# Hands each unit to the pipeline the moment it exists (awaiting its rows' chains).
Emit = Callable[[Unit], Awaitable[None]]
# Plans a leaf (counts, notes) and emits its units; may ask models itself (contexts).
FanOut = Callable[[RunContext, LeafLedger, Emit], Awaitable[None]]
# Plans a leaf (counts, notes) and returns all its units, known before any model call.
Plan = Callable[[RunContext, LeafLedger], Awaitable[list[Unit]]]


@dataclass(frozen=True)
class UnitGroup:
    """Part of a leaf: its units `index * size` up to `(index + 1) * size`, in plan order.

    Why: a knowledge leaf with hundreds of chunks is split into groups run in separate
    processes (a Ray build); each row's id, order and seeds come from its unit, so the
    groups' rows together are the rows of the whole leaf."""

    index: int
    size: int

    def pick(self, units: Sequence[Unit]) -> list[Unit]:
        return list(units[self.index * self.size:(self.index + 1) * self.size])

    def count(self, units: Sequence[Unit]) -> int:
        """How many groups `units` make (one at least)."""
        return max(1, -(-len(units) // self.size))


@dataclass(frozen=True)
class Flow:
    """A leaf kind: where its questions come from and the steps each row goes through."""

    kind: LeafKind
    fan_out: FanOut
    questions: str  # the prompt that writes questions for a unit
    chain: tuple[Step | Check, ...]  # in order; a row is kept when every step accepts it
    # a kind whose units are all known up front (knowledge: its chunks) can be run in
    # groups of units (`UnitGroup`); its fan-out emits the plan's units
    plan: Plan | None = None
