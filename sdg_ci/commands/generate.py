"""`sdg-ci generate`: grow and score Q&A for leaves (a thin shell over generate.run.generate).

Exit status: 0 when pairs were kept (or there was nothing to do), 1 when nothing could be
generated, 2 on a usage error. Leaves are not validated here: `sdg-ci check` does both.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sdg_ci.config import ModelEndpoint, load_config
from sdg_ci.errors import SdgCiError
from sdg_ci.taxonomy.leaf import find_leaf_files, is_leaf_path
from sdg_ci.taxonomy.root import taxonomy_root


def register(sub) -> None:
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


def run(args) -> int:
    from sdg_ci.generate.run import generate

    root = taxonomy_root(args.taxonomy)
    config = load_config(root, Path(args.config) if args.config else None)
    apply_flags(config.generate, args)
    leaf_files, statuses = pick_leaves(root, args)
    if not leaf_files:
        print("sdg-ci generate: no leaf to generate for", file=sys.stderr)
        return 0
    out = Path(args.out)
    summary = generate(root, leaf_files, config, out, statuses, progress=not args.no_progress)
    print_summary(summary, out)
    return 0 if summary.pairs_kept > 0 else 1


def apply_flags(settings, args) -> None:
    """CLI flags win over the config file."""
    if args.teacher_url or args.teacher_model:
        settings.teacher = _endpoint(settings.teacher, args.teacher_url, args.teacher_model)
    if args.critic_url or args.critic_model:
        settings.critic = _endpoint(settings.critic or settings.teacher, args.critic_url,
                                    args.critic_model)
    if args.scale:
        settings.scale = args.scale
    if args.cache_dir:
        settings.cache_dir = str(Path(args.cache_dir).resolve())


def _endpoint(base: ModelEndpoint, url: str | None, model: str | None) -> ModelEndpoint:
    update = {k: v for k, v in (("url", url), ("model", model)) if v}
    return base.model_copy(update=update)


def pick_leaves(root: Path, args) -> tuple[list[str], dict[str, str]]:
    if args.changed and args.leaves:
        raise SdgCiError("give LEAF paths or --changed, not both")
    if args.changed:
        from sdg_ci.taxonomy.gitdiff import diff_taxonomy

        result = diff_taxonomy(root, args.base)
        changed = [c for c in result.changed if is_leaf_path(c.path)]
        return [c.path for c in changed], {c.path: c.status for c in changed}
    if not args.leaves:
        raise SdgCiError("name the leaves to generate for (LEAF ...) or pass --changed")
    paths = []
    for name in args.leaves:  # relative to the current folder, else to the taxonomy root
        # lexists: a link that leads nowhere (a loop) is still a leaf to report, not a typo
        path = Path(name) if os.path.lexists(name) else root / name
        if not os.path.lexists(path):
            raise SdgCiError(f"{name}: no such file or folder")
        paths.append(path.resolve() if path.exists() else Path(os.path.abspath(path)))
    found = [f for f in find_leaf_files(root, paths) if is_leaf_path(f)]
    if not found:
        raise SdgCiError("no qna.yaml leaf under " + ", ".join(map(str, paths)))
    return found, {}


def print_summary(summary, out: Path) -> None:
    """One line per leaf and note; paths and notes (which may quote file names from a pull
    request or a document repo) go through `plain()`, so no line can start a workflow
    command in GitHub Actions."""
    from sdg_ci.report.escape import plain

    for leaf in summary.leaves:
        mean = f", mean rating {leaf.mean_rating:.2f}" if leaf.mean_rating is not None else ""
        print(f"{plain(leaf.path, None)} ({leaf.kind}): {leaf.questions_generated} questions → "
              f"{leaf.questions_kept} kept by critic → {leaf.answered} answered → "
              f"{leaf.pairs_kept} pairs kept{mean}; {leaf.duplicates} duplicates, "
              f"{leaf.parse_failures} parse failures, {leaf.errors} errors")
        for note in leaf.notes:
            print(f"  note: {plain(note, None)}")
    for note in summary.notes:
        print(f"note: {plain(note, None)}")
    usage = summary.usage
    print(f"{summary.pairs_kept} pairs kept; {usage.requests} requests, {usage.cache_hits} "
          f"cache hits, {usage.completion_tokens} tokens generated, {summary.wall_s:.1f}s; "
          f"wrote {out / 'summary.json'}")
