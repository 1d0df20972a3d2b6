"""`sdg-ci check`: the whole pull-request check (see sdg_ci/check.py).

Exit status: 0 every changed leaf is valid and every quality gate passed (or nothing
changed); 1 a changed leaf is invalid or a gate failed; 2 usage error or a failure to run
(the summary is still written and published when it got that far).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(sub) -> None:
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


def run(args) -> int:
    from sdg_ci.check import CheckOptions, run_check
    from sdg_ci.report.escape import plain
    from sdg_ci.taxonomy.root import taxonomy_root

    root = taxonomy_root(args.taxonomy)
    options = CheckOptions(
        base=args.base,
        out_dir=Path(args.out),
        generate=args.generate,
        comment=args.comment,
        config_path=Path(args.config) if args.config else None,
        gates_path=Path(args.gates) if args.gates else None,
        teacher_url=args.teacher_url,
        teacher_model=args.teacher_model,
        critic_url=args.critic_url,
        critic_model=args.critic_model,
        scale=args.scale,
        progress=args.progress,
        environ=dict(os.environ),
    )
    outcome = run_check(root, options)
    s = outcome.summary
    out = Path(s.out_dir)
    problems = f" — {plain('; '.join(s.problems), 1000)}" if s.problems else ""
    print(f"sdg-ci check: {s.verdict}{problems}")
    print(f"  changed leaves: {len(s.changes)}; invalid: {len(s.invalid_files)}; "
          f"pairs kept: {s.pairs_kept}; gates failed: {len(s.gate_failures)}")
    print(f"  summary: {out / 'summary.md'}")
    print(f"  check record: {out / 'check.json'}")
    if s.generation is not None:
        print(f"  data: {out} (summary.json, per-leaf JSONL)")
    for line in outcome.published:
        print(f"  {plain(line, 500)}")
    if s.generation_error:
        print(f"sdg-ci: error: generation failed: {plain(s.generation_error, 1000)}",
              file=sys.stderr)
    return outcome.exit_code
