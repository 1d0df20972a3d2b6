"""`sdg-ci build`: bring a dataset folder up to date, regenerating only changed leaves."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sdg_ci.build import MANIFEST, TRAIN, BuildResult, build_dataset
from sdg_ci.config import load_config
from sdg_ci.report.escape import plain
from sdg_ci.taxonomy.root import taxonomy_root


def register(sub) -> None:
    parser = sub.add_parser(
        "build",
        help="incremental dataset build: regenerate only the leaves that changed",
        description="Update DATASET_DIR (manifest.json, per-leaf pairs, train.jsonl) for the "
        "taxonomy at HEAD: deleted leaves lose their data, renamed ones keep it, changed "
        "ones are regenerated; unchanged leaves cost no model call.",
    )
    parser.add_argument("--out", metavar="DATASET_DIR", required=True, type=Path,
                        help="the dataset folder (created if missing)")
    rng = parser.add_mutually_exclusive_group()
    rng.add_argument("--commits", metavar="A..B",
                     help="the change to build, e.g. a push's before..after (B checked out)")
    rng.add_argument("--base", metavar="REF",
                     help="build the change since REF's merge-base with HEAD")
    parser.add_argument("--full", action="store_true",
                        help="regenerate every leaf (e.g. after changing models)")
    parser.add_argument("--scale", choices=("preview", "full"), default="full",
                        help="generation scale (default: full, a dataset build)")
    parser.add_argument("--config", type=Path, metavar="PATH",
                        help="settings file (default: .sdg-ci.yaml at the taxonomy root)")
    parser.add_argument("--fetch", action="store_true",
                        help="fetch missing commits in a shallow clone (see `sdg-ci diff`)")
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def run(args) -> int:
    root = taxonomy_root(args.taxonomy)
    config = load_config(root, args.config)
    result = build_dataset(
        root,
        args.out,
        commits=args.commits,
        base=args.base,
        config=config,
        scale=args.scale,
        full=args.full,
        fetch=args.fetch,
        progress=args.progress,
    )
    if args.format == "json":
        print(json.dumps(to_json(result), indent=2))
    else:
        print(render_text(result))
    for note in result.notes:
        print(f"note: {plain(note, None)}", file=sys.stderr)
    return 1 if result.incomplete else 0


def to_json(result: BuildResult) -> dict:
    return {
        "dataset": str(result.dataset),
        "commit": result.commit,
        "generated": result.generated,
        "moved": result.moved,
        "removed": result.removed,
        "unchanged": len(result.unchanged),
        "incomplete": result.incomplete,
        "leaves": result.leaves,
        "pairs": result.pairs,
        "notes": result.notes,
    }


def render_text(result: BuildResult) -> str:
    """Plain lines; paths through `plain()` (a newline in one must not start a line)."""

    def p_(path: str) -> str:
        return plain(path, None)

    lines = [f"generated {p_(p)}" for p in result.generated if p not in result.incomplete]
    lines += [f"moved     {p_(new)} (from {p_(old)})" for new, old in result.moved.items()]
    lines += [f"removed   {p_(p)}" for p in result.removed]
    lines += [f"incomplete {p_(p)}: generation had errors; the next build retries it"
              for p in result.incomplete]
    calls = result.summary.usage.requests if result.summary else 0
    lines.append(
        f"{len(result.generated)} generated, {len(result.moved)} moved, "
        f"{len(result.removed)} removed, {len(result.unchanged)} unchanged "
        f"({calls} model requests)"
    )
    at = f" at {result.commit[:12]}" if result.commit else ""
    lines.append(
        f"dataset{at}: {result.leaves} leaves, {result.pairs} pairs in "
        f"{result.dataset / TRAIN} (index: {MANIFEST})"
    )
    return "\n".join(lines)
