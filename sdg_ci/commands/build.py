"""`sdg-ci build`: bring a dataset folder up to date, regenerating only changed leaves."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sdg_ci.build import MANIFEST, TRAIN, BuildResult, build_dataset
from sdg_ci.build.balance import BALANCE
from sdg_ci.report.balance import render_balance_markdown
from sdg_ci.report.escape import plain
from sdg_ci.report.html import write_html_report
from sdg_ci.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:
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
    parser.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                        help="generate the leaves as tasks on Ray (pip install 'sdg-ci[ray]'): "
                        "`local` (the default) starts a local Ray instance; an address "
                        "(`auto`, `ray://host:10001`) joins a cluster")
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


@dataclass(frozen=True)
class BuildOptions:
    """`sdg-ci build`'s flags."""

    out: Path
    commits: str | None = None
    base: str | None = None
    full: bool = False
    scale: str = "full"
    config_path: Path | None = None
    fetch: bool = False
    progress: bool = True
    format: str = "text"  # text | json
    ray: str | None = None  # None: generate in this process; else a Ray address or "local"


def options_from_args(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(
        out=args.out,
        commits=args.commits,
        base=args.base,
        full=args.full,
        scale=args.scale,
        config_path=args.config,
        fetch=args.fetch,
        progress=args.progress,
        format=args.format,
        ray=args.ray,
    )


def run(root: Path, options: BuildOptions) -> int:
    config = load_settings(root, options.config_path)
    ray_generate = None
    if options.ray:
        # deliberate lazy import, as for the local engine: it loads the model client
        from sdg_ci.build.ray_exec import RayGenerate

        ray_generate = RayGenerate(options.ray)
    try:
        result = build_dataset(
            root,
            options.out,
            commits=options.commits,
            base=options.base,
            config=config,
            scale=options.scale,
            full=options.full,
            fetch=options.fetch,
            progress=options.progress,
            generate=ray_generate,
        )
    finally:
        if ray_generate is not None:
            ray_generate.close()  # one Ray instance for the first pass and every top-up round
    ray_line = ray_generate.report.line() if ray_generate and result.generated else None
    if options.format == "json":
        ray_json = {"ray": ray_line} if ray_generate else {}
        print(json.dumps({**to_json(result), **ray_json}, indent=2))
    else:
        print(render_text(result) + (f"\n{ray_line}" if ray_line else ""))
    for note in result.notes:
        print(f"note: {plain(note, None)}", file=sys.stderr)
    write_summary(result)
    write_html_report(result.dataset, taxonomy_root=root)
    return 1 if result.incomplete or result.invalid else 0


SUMMARY_MD = "summary.md"


def write_summary(result: BuildResult) -> None:
    """The build's markdown summary beside the data, and in the job summary on GitHub."""
    markdown = render_balance_markdown(result.report, invalid=result.invalid)
    (result.dataset / SUMMARY_MD).write_text(markdown, encoding="utf-8")
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as out:
            out.write(markdown)


def to_json(result: BuildResult) -> dict[str, object]:
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
        "invalid": result.invalid,
        "requests": result.requests,
        "balance": result.report,
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
    for path, diagnostics in sorted(result.invalid.items()):
        lines.append(f"invalid   {p_(path)}: not generated, kept out of {TRAIN}")
        lines += [f"  {p_(path)}:{plain(d, None)}" for d in diagnostics]
    if result.report.get("leaves"):
        lines.append(balance_table(result.report))
    rounds = result.topup.rounds if result.topup else 0
    lines.append(
        f"{len(result.generated)} generated, {len(result.moved)} moved, "
        f"{len(result.removed)} removed, {len(result.unchanged)} unchanged, "
        f"{len(result.invalid)} invalid ({result.requests} model requests"
        + (f", {rounds} top-up rounds" if rounds else "") + ")"
    )
    at = f" at {result.commit[:12]}" if result.commit else ""
    lines.append(
        f"dataset{at}: {result.leaves} leaves, {result.pairs} pairs in "
        f"{result.dataset / TRAIN} (index: {MANIFEST}, balance: {BALANCE})"
    )
    return "\n".join(lines)


def balance_table(report: dict[str, object]) -> str:
    """balance.json as aligned columns: a row per leaf, then the spread."""
    leaves: dict = report["leaves"]  # type: ignore[assignment]
    width = max([4] + [len(plain(p, None)) for p in leaves])
    head = f"{'leaf':<{width}}  {'rows':>5} {'target':>6} {'short':>5} {'kept':>5} {'gen':>5}"
    lines = [head]
    for path, b in leaves.items():
        line = (f"{plain(path, None):<{width}}  {b['rows']:>5} {b['target']:>6} "
                f"{b['short_by']:>5} {b['kept']:>5} {b['generated']:>5}")
        if b.get("reason"):
            line += f"  {plain(b['reason'], None)}"
        lines.append(line)
    stats: dict = report["stats"]  # type: ignore[assignment]
    spread = stats.get("max_min_spread_not_short")
    lines.append(
        f"balance: largest/smallest {spread if spread is not None else '-'} (leaves at "
        f"target), Gini {stats['gini']}, largest share "
        f"{round(100 * stats['largest_share'], 1)} %, {stats['short_leaves']} short")
    return "\n".join(lines)
