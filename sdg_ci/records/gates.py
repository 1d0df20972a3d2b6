"""The gate record: one quality gate applied to one leaf (see sdg_ci/report/gates.py)."""

from __future__ import annotations

from pydantic import BaseModel


class GateResult(BaseModel):
    """One gate applied to one leaf."""

    leaf: str  # leaf file, relative to the taxonomy root
    gate: str  # the setting's name, e.g. "min_kept_pairs"
    value: float  # what was measured
    threshold: float
    passed: bool
    message: str  # whole sentence naming the leaf, the number and the threshold
