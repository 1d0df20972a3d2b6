"""The pull request's view of the dataset build: each changed leaf's rows at full scale,
projected from the preview's keep rate, against its target.

Why before the merge: a leaf whose source is thin (few seeds, a short document) ends short
in the dataset, and a leaf whose target or weight dwarfs its neighbours would dominate its
subtree; both are cheaper to fix in the pull request than after the build.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from sdg_ci.config import Config
from sdg_ci.records.check import LeafProjection
from sdg_ci.records.run import LeafSummary, RunSummary
from sdg_ci.records.stages import Stage
from sdg_ci.taxonomy.leaf import taxonomy_path

THIN = 0.5  # projected first pass below this share of the target: a thin source
DOMINATES = 0.5  # more than this share of its subtree's rows: it would dominate it


def full_questions(leaf: LeafSummary, config: Config) -> int:
    """Questions a full-scale first pass writes for this leaf (from the preview's counts)."""
    g = config.generate
    seeds = leaf.seeds
    if g.max_seeds.get("full"):
        seeds = min(seeds, g.max_seeds["full"])
    if leaf.kind == "knowledge":
        chunks = next((s.rows_in for s in leaf.stages if s.stage == Stage.CHUNKS.value), 0)
        if g.max_chunks.get("full"):
            chunks = min(chunks, g.max_chunks["full"])
        return chunks * g.questions_per_chunk.get("full", 0)
    if leaf.kind == "grounded_skill":
        return seeds * g.contexts_per_seed.get("full", 0) * g.questions_per_context
    return seeds * g.questions_per_seed.get("full", 0)


def project(leaf: LeafSummary, config: Config, taxonomy_leaves: list[str]) -> LeafProjection:
    """One leaf at full scale; `taxonomy_leaves` (leaf files) give its subtree's others."""
    build = config.build
    path = taxonomy_path(leaf.path)
    rate = leaf.pairs_kept / leaf.questions_generated if leaf.questions_generated else 0.0
    questions = full_questions(leaf, config)
    kept = round(rate * questions)
    target = build.rows_wanted(path, "full")
    p = LeafProjection(full_questions=questions, keep_rate=round(rate, 4), projected_kept=kept,
                       target=target)
    if kept < THIN * target:
        p.flags.append(f"thin source: about {kept} rows at full scale for a target of "
                       f"{target}; top-up rounds may not close the gap (more seed "
                       + ("examples or longer documents" if leaf.kind == "knowledge"
                          else "examples") + " would help)")
    parent = PurePosixPath(path).parent
    others = [taxonomy_path(f) for f in taxonomy_leaves
              if parent in PurePosixPath(taxonomy_path(f)).parents and taxonomy_path(f) != path]
    if str(parent) not in ("", ".") and others:
        mine = min(kept, target)
        # every other leaf is assumed to reach its own (weighted) target
        total = mine + sum(build.rows_wanted(o, "full") for o in others)
        p.subtree, p.subtree_share = str(parent), round(mine / total, 4) if total else None
        if p.subtree_share is not None and p.subtree_share > DOMINATES:
            p.flags.append(f"would dominate {parent}: {round(100 * p.subtree_share)} % of "
                           "its rows")
    return p


def projections(run: RunSummary | None, config: Config,
                taxonomy_leaves: list[str]) -> dict[str, LeafProjection]:
    """Each generated leaf's projection, by leaf file."""
    if run is None:
        return {}
    return {leaf.path: project(leaf, config, taxonomy_leaves)
            for leaf in run.leaves if leaf.questions_generated or leaf.seeds}
