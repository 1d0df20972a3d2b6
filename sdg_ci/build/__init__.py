"""Incremental dataset builds: regenerate only the leaves that changed, keep the rest.

A dataset folder holds:

    DATASET_DIR/manifest.json          leaf path -> content hash, data file, pair count
    DATASET_DIR/leaves/<path>/pairs.jsonl   kept pairs of each leaf (the store)
    DATASET_DIR/train.jsonl            every leaf's kept pairs, concatenated in path order
    DATASET_DIR/last_run/              the latest generation run (summary.json, rejected rows)
    DATASET_DIR/summary.json           that run's summary, for reports

A build diffs the range (`--commits A..B`, `--base REF`, or by default from the commit the
dataset was last built at), then reconciles with the manifest: a leaf is regenerated when
its content hash (the qna.yaml bytes, the attribution.txt beside it, its document
reference) differs from the one recorded, or when its last generation was incomplete. So a
skipped or failed build never leaves the dataset behind the taxonomy, and a leaf whose
content did not change costs no model call; a leaf renamed without edits has its data
moved, not regenerated. Deleted leaves (and the old paths of renamed ones) lose their data.

Modules: `fingerprint` (hashes), `manifest` (the index), `store` (data files, atomic
writes, train.jsonl), `plan` (what to do with each leaf), `dataset` (`build_dataset`);
`ray_exec` (`--ray`: leaves and groups of a large knowledge leaf's chunks as Ray tasks) and
`ray_limits` (each server's limit, shared by every task).
"""

from sdg_ci.build.dataset import LAST_RUN, SUMMARY, BuildResult, GenerateFn, build_dataset
from sdg_ci.build.fingerprint import leaf_fingerprint, settings_fingerprint
from sdg_ci.build.manifest import MANIFEST, SCHEMA_VERSION, load_manifest
from sdg_ci.build.plan import BuildPlan, plan_build
from sdg_ci.build.store import PAIRS, STORE, TRAIN, data_file_for

__all__ = [
    "LAST_RUN",
    "MANIFEST",
    "PAIRS",
    "SCHEMA_VERSION",
    "STORE",
    "SUMMARY",
    "TRAIN",
    "BuildPlan",
    "BuildResult",
    "GenerateFn",
    "build_dataset",
    "data_file_for",
    "leaf_fingerprint",
    "load_manifest",
    "plan_build",
    "settings_fingerprint",
]
