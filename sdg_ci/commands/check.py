"""`sdg-ci check`: the whole pull-request check (see sdg_ci/check.py), then publishing it.

Exit status: 0 every changed leaf is valid and every quality gate passed (or nothing
changed); 1 a changed leaf is invalid or a gate failed; 2 usage error or a failure to run
(the summary is still written and published when it got that far).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sdg_ci.commands import model_overrides

if TYPE_CHECKING:  # pragma: no cover - imported lazily in run() (start-up time)
    from sdg_ci.check import CheckOptions


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check",
        help="diff, validate the changed leaves, generate for the valid ones, apply the "
        "quality gates and publish one summary (PR comment, job summary, annotations)",
        description="The pull-request check: diff the taxonomy against the base, validate "
        "the changed leaves, generate and critic-score Q&A for the valid ones, apply the "
        "quality gates, write the summary (summary.md, check.json, summary.json, JSONL) to "
        "--out and, in GitHub Actions, publish it.",
    )
    parser.add_argument("--base", metavar="REF", help="compare against REF (default: the "
                        "PR base in Actions, else origin/main, else main)")
    parser.add_argument("--out", metavar="DIR", default="sdg-ci-out",
                        help="where the data and summaries go (default: %(default)s)")
    parser.add_argument("--no-generate", dest="generate", action="store_false",
                        help="diff and validate only")
    parser.add_argument("--comment", action=argparse.BooleanOptionalAction, default=None,
                        help="post/update the PR comment (default: on a pull request in "
                        "GitHub Actions)")
    parser.add_argument("--config", metavar="PATH", help="settings file (default: "
                        ".sdg-ci.yaml at the taxonomy root)")
    parser.add_argument("--gates", metavar="PATH", help="quality gates file (a gates: "
                        "section, or a whole settings file); overrides the settings file")
    parser.add_argument("--teacher-url", metavar="URL")
    parser.add_argument("--teacher-model", metavar="NAME")
    parser.add_argument("--critic-url", metavar="URL")
    parser.add_argument("--critic-model", metavar="NAME")
    parser.add_argument("--scale", choices=["preview", "full"])
    parser.add_argument("--no-progress", dest="progress", action="store_false",
                        help="no progress display")
    parser.set_defaults(func=run)


@dataclass(frozen=True)
class CheckCommand:
    """`sdg-ci check`'s flags: the check's options, and whether to post the PR comment."""

    check: CheckOptions
    comment: bool | None  # None: comment when running on a pull request in Actions


def options_from_args(args: argparse.Namespace) -> CheckCommand:
    from sdg_ci.check import CheckOptions  # lazy: see run()

    return CheckCommand(
        check=CheckOptions(
            base=args.base,
            out_dir=Path(args.out),
            generate=args.generate,
            config_path=Path(args.config) if args.config else None,
            gates_path=Path(args.gates) if args.gates else None,
            models=model_overrides(args),
            progress=args.progress,
            environ=dict(os.environ),
        ),
        comment=args.comment,
    )


def run(root: Path, options: CheckCommand) -> int:
    # deliberate lazy imports: the check pulls in the model client (start-up time)
    from sdg_ci.check import CheckDiffError, publish_check, publish_check_failure, run_check
    from sdg_ci.commands.generate import print_failed_leaves
    from sdg_ci.report.escape import plain
    from sdg_ci.report.github import GitHubEnv, mask_secrets
    from sdg_ci.report.html import write_html_report
    from sdg_ci.settings import secret_env_names

    environ = options.check.environ
    github = GitHubEnv.from_environ(environ)
    mask_secrets(github, environ, secret_env_names(root, options.check.config_path))
    try:
        outcome = run_check(root, options.check, github)
    except CheckDiffError as exc:
        publish_check_failure(github, exc)
        raise
    published = publish_check(outcome, github, comment=options.comment)
    s = outcome.summary
    out = Path(s.out_dir)
    problems = f" — {plain('; '.join(s.problems), 1000)}" if s.problems else ""
    print(f"sdg-ci check: {s.verdict}{problems}")
    print(f"  changed leaves: {len(s.changes)}; invalid: {len(s.invalid_files)}; "
          f"pairs kept: {s.pairs_kept}; gates failed: {len(s.gate_failures)}")
    print(f"  summary: {out / 'summary.md'}")
    print(f"  check record: {out / 'check.json'}")
    print(f"  report: {plain(str(write_html_report(out, taxonomy_root=root)), None)}")
    if s.generation is not None:
        print(f"  data: {out} (summary.json, per-leaf JSONL)")
    for line in published:
        print(f"  {plain(line, 500)}")
    if s.generation_error:
        print(f"sdg-ci: error: generation failed: {plain(s.generation_error, 1000)}",
              file=sys.stderr)
    if s.generation is not None:
        print_failed_leaves(s.generation, "sdg-ci check")
    return outcome.exit_code
