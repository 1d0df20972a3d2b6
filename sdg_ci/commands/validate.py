"""`sdg-ci validate [PATH ...] [--profile ...] [--format text|json|github]`.

A thin shell over `sdg_ci.validate`: find the leaves under the paths, check them, print
the diagnostics. Exit 0 when every file is valid (warnings allowed), 1 when any is not,
2 on a usage error (a path that does not exist, a bad configuration).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sdg_ci.config import load_config
from sdg_ci.diagnostics import FileResult
from sdg_ci.errors import SdgCiError
from sdg_ci.report.escape import plain
from sdg_ci.settings import in_github_actions
from sdg_ci.taxonomy.root import find_taxonomy_root, is_taxonomy, not_a_taxonomy
from sdg_ci.validate import PROFILES, find_leaves
from sdg_ci.validate.engine import check_files
from sdg_ci.validate.profiles import get_profile

FORMATS = ("text", "json", "github")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "validate",
        help="check qna.yaml files: schema, YAML, yamllint, attribution, quality warnings",
        description="Check taxonomy leaves (qna.yaml) and print every problem with its file, "
        "line, column and rule code (see docs/rules.md). Exit status: 0 all valid, 1 some "
        "file invalid, 2 usage error.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders to check (folders are searched for leaves under "
        "compositional_skills/ and knowledge/); default: the "
        "taxonomy root",
    )
    parser.add_argument(
        "--profile",
        choices=list(PROFILES),
        default=None,
        help="taxonomy-ci (default): what the taxonomy CI enforces; ilab: each file's own "
        "version, yamllint warnings are errors, no attribution check",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: github when GITHUB_ACTIONS=true, else text)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="worker processes for large taxonomies (default: the usable CPUs)",
    )
    parser.add_argument(
        "--changed",
        action="store_true",
        help="check only the leaves changed against the base (see `sdg-ci diff`): added, "
        "modified and renamed ones, and misnamed look-alikes",
    )
    parser.add_argument(
        "--base",
        metavar="REF",
        default=None,
        help="with --changed: what to compare with (default as `sdg-ci diff`: "
        "origin/$GITHUB_BASE_REF, origin/main, main)",
    )
    parser.set_defaults(func=run)


ROOTS_FROM_PATHS = True  # each PATH finds its own taxonomy root (sdg_ci.cli)


@dataclass(frozen=True)
class ValidateOptions:
    """`sdg-ci validate`'s flags."""

    paths: tuple[str, ...] = ()
    profile: str | None = None
    format: str | None = None  # None: github in GitHub Actions, else text
    jobs: int | None = None
    changed: bool = False
    base: str | None = None


def options_from_args(args: argparse.Namespace) -> ValidateOptions:
    return ValidateOptions(paths=tuple(args.paths), profile=args.profile, format=args.format,
                           jobs=args.jobs, changed=args.changed, base=args.base)


def run(taxonomy: str | None, options: ValidateOptions) -> int:
    """`taxonomy`: the -C flag as given (None: each path's own root, or the cwd's)."""
    fmt = options.format or ("github" if in_github_actions(os.environ) else "text")
    if options.base is not None and not options.changed:
        raise SdgCiError("--base goes with --changed")
    groups = _group_by_root(taxonomy, list(options.paths))
    results: list[tuple[Path, FileResult]] = []
    for root, paths in groups.items():
        settings = load_config(root, sections=("validate",)).validate_
        profile = get_profile(options.profile or settings.profile)
        if options.changed:
            leaves = _only_changed(root, paths, options.base)
        else:
            leaves = find_leaves(root, paths)
        for result in check_files(root, leaves, profile, settings, options.jobs):
            results.append((root, result))
    out = sys.stdout
    if fmt == "json":
        out.write(json.dumps(to_json([r for _, r in results]), indent=2, ensure_ascii=False))
        out.write("\n")
    else:
        render, shown = (
            (_github_lines, _github_path) if fmt == "github" else (_text_lines, _display_path)
        )
        for root, result in results:
            for line in render(shown(root, result.path), result):
                out.write(line + "\n")
        out.write(summary_line([r for _, r in results], groups, changed=options.changed) + "\n")
    return 1 if any(not r.valid for _, r in results) else 0


def _only_changed(root: Path, paths: list[Path] | None, base: str | None) -> list[str]:
    """The changed leaf files (same code path as `sdg-ci diff`), within `paths` if given."""
    from sdg_ci.taxonomy.gitdiff import changed_leaf_files  # lazy: only --changed runs git

    changed = changed_leaf_files(root, base)
    if not paths:
        return changed
    wanted = [Path(os.path.abspath(p)) for p in paths]
    return [
        rel for rel in changed
        if any(w == root / rel or w in (root / rel).parents for w in wanted)
    ]


def _group_by_root(taxonomy: str | None, raw_paths: list[str]) -> dict[Path, list[Path] | None]:
    """Taxonomy root -> the paths under it (None: the whole root)."""
    paths = [Path(p) for p in raw_paths]
    for path in paths:
        if not os.path.lexists(path):
            raise SdgCiError(f"no such file or folder: {path}")
    if taxonomy is not None:
        root = Path(taxonomy)
        if not root.is_dir():
            raise SdgCiError(f"taxonomy root is not a folder: {taxonomy}")
        groups: dict[Path, list[Path] | None] = {root.resolve(): paths or None}
    elif not paths:
        groups = {find_taxonomy_root(Path.cwd()): None}
    else:
        groups = {}
        for path in paths:
            start = path if path.is_dir() and not path.is_symlink() else path.parent
            root = find_taxonomy_root(start.absolute())
            groups.setdefault(root, []).append(path)  # type: ignore[union-attr]
    for root, named in groups.items():
        # a folder is searched as a taxonomy; files named one by one are each answered
        searched = named is None or any(p.is_dir() and not p.is_symlink() for p in named)
        if searched and not is_taxonomy(root):
            raise not_a_taxonomy(root)
    return groups


def _display_path(root: Path, rel_path: str) -> str:
    """Where the file is, as the person or the CI log can open it (relative to the cwd)."""
    if os.path.isabs(rel_path):
        return rel_path
    shown = os.path.relpath(root / rel_path)
    return shown if not shown.startswith("..") else str(root / rel_path)


def _github_path(root: Path, rel_path: str) -> str:
    """Annotations name files relative to the checkout ($GITHUB_WORKSPACE), whatever
    folder the step runs in; elsewhere as `_display_path`."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace and not os.path.isabs(rel_path):
        shown = os.path.relpath(root / rel_path, os.path.realpath(workspace))
        if not shown.startswith(".."):
            return Path(shown).as_posix()
    return _display_path(root, rel_path)


def counts(results: list[FileResult]) -> dict[str, int]:
    return {
        "files": len(results),
        "invalid": sum(not r.valid for r in results),
        "errors": sum(len(r.errors) for r in results),
        "warnings": sum(len(r.warnings) for r in results),
    }


def to_json(results: list[FileResult]) -> dict[str, object]:
    """The JSON contract (docs/architecture.md): files (paths relative to the taxonomy
    root) and counts."""
    return {"files": [r.to_json() for r in results], "counts": counts(results)}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def summary_line(
    results: list[FileResult],
    groups: dict[Path, list[Path] | None],
    *,
    changed: bool = False,
) -> str:
    c = counts(results)
    if not results and changed:
        return "no leaf changed: nothing to check"
    if not results:
        where = ", ".join(str(p) for ps in groups.values() for p in (ps or [])) or ", ".join(
            str(r) for r in groups
        )
        return f"no qna.yaml files found under {plain(where, None)}"
    head = f"{_plural(c['files'], 'file')} checked: "
    tail = f"{_plural(c['errors'], 'error')}, {_plural(c['warnings'], 'warning')}"
    if c["invalid"]:
        return head + f"{c['invalid']:,} invalid ({tail})"
    return head + f"all valid ({tail})"


def _text_lines(path: str, result: FileResult) -> Iterator[str]:
    """`path:line:column: severity code message [yaml path]`, one line whatever the file's
    name, keys or values hold: they go through `plain()`, and a path that would begin the
    line with `::` (a GitHub workflow command) is written `./::...`."""
    shown = plain(path, None)
    if shown.startswith("::"):
        shown = "./" + shown
    for d in sorted([*result.errors, *result.warnings]):
        where = f" [{plain(d.yaml_path, None)}]" if d.yaml_path else ""
        message = plain(d.message, None)
        yield f"{shown}:{d.line}:{d.column}: {d.severity} {d.code} {message}{where}"


def _github_lines(path: str, result: FileResult) -> Iterator[str]:
    """GitHub Actions workflow commands: one annotation per diagnostic."""
    # lazy on purpose: only the github format needs the publisher's package (start-up time)
    from sdg_ci.report.github.commands import annotation

    for d in sorted([*result.errors, *result.warnings]):
        kind = "error" if d.severity == "error" else "warning"
        where = f" [{d.yaml_path}]" if d.yaml_path else ""
        yield annotation(kind, d.message + where, file=path, line=d.line, col=d.column,
                         title="sdg-ci " + d.code)
