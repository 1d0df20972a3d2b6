"""Every leaf kind's flow, by kind: the table `generate()` runs a leaf with."""

from __future__ import annotations

from sdg_ci.generate.flows.flow import Flow
from sdg_ci.generate.flows.freeform import FREEFORM
from sdg_ci.generate.flows.grounded import GROUNDED
from sdg_ci.generate.flows.knowledge import KNOWLEDGE
from sdg_ci.taxonomy.leaf import LeafKind

FLOWS: dict[LeafKind, Flow] = {flow.kind: flow for flow in (FREEFORM, GROUNDED, KNOWLEDGE)}
