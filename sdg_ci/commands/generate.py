"""`sdg-ci generate`: grow and score Q&A for leaves (a thin shell over generate.runner.generate).

Exit status: 0 when pairs were kept (or there was nothing to do), 1 when nothing could be
generated or any named leaf could not be read or generated (the last lines name each one and
why), 2 on a usage error. Leaves are not validated here: `sdg-ci check` does both.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sdg_ci.commands import model_overrides
from sdg_ci.errors import SdgCiError
from sdg_ci.records.run import RunSummary
from sdg_ci.report.escape import plain
from sdg_ci.report.html import write_html_report
from sdg_ci.settings import ModelOverrides, load_settings
from sdg_ci.taxonomy.gitdiff import diff_taxonomy
from sdg_ci.taxonomy.leaf import find_leaf_files, is_leaf_path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "generate",
        help="generate and critic-score synthetic Q&A for taxonomy leaves",
        description="Teacher writes questions from each leaf's seeds, the critic filters them, "
        "the teacher answers, the critic rates the pairs 1-3. Writes per leaf pairs.jsonl and "
        "rejected.jsonl under --out, and summary.json. Model calls are cached: a re-run "
        "replays them at no cost. With no endpoint configured, a small embedded model runs.",
    )
    parser.add_argument("leaves", nargs="*", metavar="LEAF",
                        help="qna.yaml files or folders holding them")
    parser.add_argument("--changed", action="store_true",
                        help="the leaves added, modified or renamed against --base")
    parser.add_argument("--base", metavar="REF", help="base for --changed (default: as "
                        "`sdg-ci diff` picks it)")
    parser.add_argument("--out", metavar="DIR", default="sdg-out",
                        help="output folder (default: sdg-out)")
    parser.add_argument("--config", metavar="FILE", help="config file (default: "
                        ".sdg-ci.yaml at the taxonomy root)")
    for role in ("teacher", "critic"):
        parser.add_argument(f"--{role}-url", metavar="URL",
                            help=f"OpenAI-compatible base URL of the {role} (…/v1)")
        parser.add_argument(f"--{role}-model", metavar="NAME", help=f"{role} model name")
    parser.add_argument("--scale", choices=("preview", "full"),
                        help="preview (a pull request) or full (a dataset build)")
    parser.add_argument("--cache-dir", metavar="DIR", help="response cache folder")
    parser.add_argument("--no-progress", action="store_true", help="no progress output")
    parser.set_defaults(func=run)


@dataclass(frozen=True)
class GenerateOptions:
    """`sdg-ci generate`'s flags."""

    leaves: tuple[str, ...] = ()  # qna.yaml files or folders (cwd-relative, else root-relative)
    changed: bool = False
    base: str | None = None
    out: Path = Path("sdg-out")
    config_path: Path | None = None
    models: ModelOverrides = field(default_factory=ModelOverrides)
    progress: bool = True


def options_from_args(args: argparse.Namespace) -> GenerateOptions:
    return GenerateOptions(
        leaves=tuple(args.leaves),
        changed=args.changed,
        base=args.base,
        out=Path(args.out),
        config_path=Path(args.config) if args.config else None,
        models=model_overrides(args, cache_dir=args.cache_dir),
        progress=not args.no_progress,
    )


def run(root: Path, options: GenerateOptions) -> int:
    # deliberate lazy import: the model client is slow to import (start-up time)
    from sdg_ci.generate.runner import generate

    config = load_settings(root, options.config_path, options.models,
                           sections=("documents", "generate"))
    leaf_files, statuses = pick_leaves(root, options)
    if not leaf_files:
        print("sdg-ci generate: no leaf to generate for", file=sys.stderr)
        return 0
    summary = generate(root, leaf_files, config, options.out, statuses,
                       progress=options.progress)
    print_summary(summary, options.out)
    write_html_report(options.out, taxonomy_root=root)
    if print_failed_leaves(summary, "sdg-ci generate"):
        return 1
    return 0 if summary.pairs_kept > 0 else 1


def print_failed_leaves(summary: RunSummary, command: str) -> bool:
    """The last lines of a run with leaves that could not be read or generated: each one and
    why (on stderr). True when there were any."""
    failed = summary.failed_leaves
    if not failed:
        return False
    print(f"{command}: failed: {len(failed)} of {len(summary.leaves)} leaves could not be read "
          "or generated:", file=sys.stderr)
    for leaf in failed:
        print(f"  {plain(leaf.path, None)}: {plain(leaf.failure or '', 500)}", file=sys.stderr)
    return True


def pick_leaves(root: Path, options: GenerateOptions) -> tuple[list[str], dict[str, str]]:
    """The leaf files to generate for, and their diff statuses (for --changed)."""
    if options.changed and options.leaves:
        raise SdgCiError("give LEAF paths or --changed, not both")
    if options.changed:
        result = diff_taxonomy(root, options.base)
        changed = [c for c in result.changed if is_leaf_path(c.path)]
        return [c.path for c in changed], {c.path: c.status for c in changed}
    if not options.leaves:
        raise SdgCiError("name the leaves to generate for (LEAF ...) or pass --changed")
    paths = []
    for name in options.leaves:  # relative to the current folder, else to the taxonomy root
        # lexists: a link that leads nowhere (a loop) is still a leaf to report, not a typo
        path = Path(name) if os.path.lexists(name) else root / name
        if not os.path.lexists(path):
            raise SdgCiError(f"{name}: no such file or folder")
        paths.append(path.resolve() if path.exists() else Path(os.path.abspath(path)))
    found = [f for f in find_leaf_files(root, paths) if is_leaf_path(f)]
    if not found:
        raise SdgCiError("no qna.yaml leaf under " + ", ".join(map(str, paths)))
    return found, {}


def print_summary(summary: RunSummary, out: Path) -> None:
    """One line per leaf and note; paths and notes (which may quote file names from a pull
    request or a document repo) go through `plain()`, so no line can start a workflow
    command in GitHub Actions."""
    for leaf in summary.leaves:
        mean = f", mean rating {leaf.mean_rating:.2f}" if leaf.mean_rating is not None else ""
        print(f"{plain(leaf.path, None)} ({leaf.kind}): {leaf.questions_generated} questions → "
              f"{leaf.questions_new} new → {leaf.questions_kept} kept by critic → "
              f"{leaf.answered} answered → {leaf.pairs_rated} kept by rating → "
              f"{leaf.pairs_kept} pairs kept{mean}; {leaf.duplicates} duplicates, "
              f"{leaf.degenerate} degenerate, {leaf.parse_failures} parse failures, "
              f"{leaf.errors} errors; {leaf.rejected_rows} rejected rows")
        for note in leaf.notes:
            print(f"  note: {plain(note, None)}")
    for note in summary.notes:
        print(f"note: {plain(note, None)}")
    usage = summary.usage
    print(f"{summary.pairs_kept} pairs kept; {usage.requests} requests, {usage.cache_hits} "
          f"cache hits, {usage.completion_tokens} tokens generated, {summary.wall_s:.1f}s; "
          f"wrote {out / 'summary.json'}")
