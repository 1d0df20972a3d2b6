"""`sdg-ci report html OUT_DIR`: (re)write the HTML report of a run's output folder.

Exit status: 0 the report was written, 2 the folder holds no run record (or usage error).
"""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    parser = sub.add_parser(
        "report",
        help="write a self-contained HTML report of a run's data (every pair and rejection)",
        description="Reports on the output folder of `check`, `generate` or `build`. Those "
        "commands write the report themselves; this rewrites it, e.g. from an unzipped "
        "workflow artifact.",
    )
    kinds = parser.add_subparsers(dest="report_kind", metavar="KIND", required=True)
    html = kinds.add_parser(
        "html",
        help="write OUT_DIR/report.html",
        description="Write OUT_DIR/report.html: the funnel per leaf, the rating histogram, "
        "the balance of a build, and every kept pair and rejected row with filters, beside "
        "each leaf's seed examples (read from the taxonomy when it is found). One file, no "
        "network: it opens from a local folder or an artifact zip.",
    )
    html.add_argument("out_dir", metavar="OUT_DIR", type=Path,
                      help="the output folder of an sdg-ci run (holding summary.json)")
    html.add_argument("--no-seeds", action="store_true",
                      help="do not look for the taxonomy (no seed examples in the report)")
    html.set_defaults(func=run)


def run(args) -> int:
    from sdg_ci.errors import SdgCiError
    from sdg_ci.report.html import write_html_report

    root = None
    if args.taxonomy:
        root = Path(args.taxonomy).resolve()
    elif not args.no_seeds:
        from sdg_ci.taxonomy.root import find_taxonomy_root

        root = find_taxonomy_root()  # a leaf not found there is reported without seeds
    if not args.out_dir.is_dir():
        raise SdgCiError(f"{args.out_dir}: no such folder")
    print(f"wrote {write_html_report(args.out_dir, taxonomy_root=root)}")
    return 0
