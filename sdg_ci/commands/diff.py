"""`sdg-ci diff`: the taxonomy leaves a change touches (a thin shell over diff_taxonomy)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from sdg_ci.report.escape import plain
from sdg_ci.taxonomy.gitdiff import EMPTY_BASE, DiffResult, diff_taxonomy, misnamed_message


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "diff",
        help="list the taxonomy leaves changed against a base (git merge-base)",
        description="List the leaves (qna.yaml files) changed between the merge-base of a "
        "base branch and HEAD, with their status and why they count as changed. Base "
        "default: origin/$GITHUB_BASE_REF in a pull request, else origin/main, main, "
        "origin/HEAD.",
    )
    parser.add_argument(
        "--base",
        metavar="REF",
        help="branch, remote branch, tag or commit to compare with (its merge-base with "
        "HEAD); 'empty' lists every leaf as added",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--fetch",
        action="store_true",
        help="fetch a missing base and deepen a shallow clone (git fetch --deepen) until "
        "the merge-base is found",
    )
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument(
        "--working-tree",
        dest="mode",
        action="store_const",
        const="working-tree",
        help="include staged, unstaged and untracked changes (default outside CI)",
    )
    modes.add_argument(
        "--staged",
        dest="mode",
        action="store_const",
        const="staged",
        help="compare the index (what the next commit holds) with HEAD, or with --base",
    )
    modes.add_argument(
        "--committed",
        dest="mode",
        action="store_const",
        const="committed",
        help="committed changes up to HEAD only (default in CI)",
    )
    modes.add_argument(
        "--commits",
        metavar="A..B",
        help="B against A as it is (A...B: against their merge-base), e.g. a push's "
        "before..after",
    )
    parser.set_defaults(func=run, mode="auto")


@dataclass(frozen=True)
class DiffOptions:
    """`sdg-ci diff`'s flags."""

    base: str | None = None
    mode: str = "auto"  # auto | working-tree | staged | committed
    commits: str | None = None
    fetch: bool = False
    format: str = "text"  # text | json


def options_from_args(args: argparse.Namespace) -> DiffOptions:
    return DiffOptions(base=args.base, mode=args.mode, commits=args.commits, fetch=args.fetch,
                       format=args.format)


def run(root: Path, options: DiffOptions) -> int:
    result = diff_taxonomy(
        root,
        options.base,
        mode="commits" if options.commits else options.mode,
        commits=options.commits,
        fetch=options.fetch,
    )
    if options.format == "json":
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(describe(result), file=sys.stderr)
        print(render_text(result))
    return 0


def describe(result: DiffResult) -> str:
    """One line on stderr saying what was compared with what."""
    if result.mode == "filesystem":
        return f"{plain(result.root, None)} is not in a git repository: every leaf counts as added"
    new = {
        "working-tree": "the working tree",
        "staged": "the index",
        "committed": f"HEAD ({_short(result.head)})",
        "commits": _short(result.head),
    }[result.mode]
    if result.base == EMPTY_BASE or result.merge_base is None:
        return f"comparing {new} with an empty taxonomy"
    where = "" if result.base == result.merge_base else f" at {_short(result.merge_base)}"
    return f"comparing {new} with {plain(result.base, None)}{where}"


def render_text(result: DiffResult) -> str:
    """One line per leaf; paths come from the repository (a pull request names them), so
    each goes through `plain()`: a newline in a folder name cannot start a line of its own,
    nor a GitHub workflow command."""
    lines = []
    for leaf in result.leaves:
        line = f"{leaf.status:<9} {plain(leaf.path, None)}"
        if leaf.old_path:
            line += f" (from {plain(leaf.old_path, None)})"
        lines.append(f"{line}  [{', '.join(leaf.reasons)}]")
    for m in result.misnamed:
        advice = plain(misnamed_message(m), None)
        lines.append(f"{'misnamed':<9} {plain(m.path, None)} ({m.status}): {advice}")
    lines.append(result.count_line())
    return "\n".join(lines)


def _short(sha: str | None) -> str:
    return (sha or "")[:12]
