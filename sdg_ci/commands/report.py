"""`sdg-ci report html OUT_DIR`: (re)write the HTML report of a run's output folder.

Exit status: 0 the report was written, 2 the folder holds no run record (or usage error).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from sdg_ci.errors import SdgCiError
from sdg_ci.report.escape import plain
from sdg_ci.report.html import write_html_report
from sdg_ci.taxonomy.root import find_taxonomy_root


def register(sub: argparse._SubParsersAction) -> None:
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


# the taxonomy is optional here (it only adds the seed examples): the CLI hands over -C as
# given instead of requiring a taxonomy root
ROOTS_FROM_PATHS = True


@dataclass(frozen=True)
class ReportOptions:
    out_dir: Path
    seeds: bool = True  # look for the taxonomy, to show each leaf's seed examples


def options_from_args(args: argparse.Namespace) -> ReportOptions:
    return ReportOptions(out_dir=args.out_dir, seeds=not args.no_seeds)


def run(taxonomy: str | None, options: ReportOptions) -> int:
    root: Path | None = None
    if taxonomy:
        root = Path(taxonomy).resolve()
    elif options.seeds:
        try:
            root = find_taxonomy_root()
        except SdgCiError:
            root = None  # no taxonomy here: the report has no seed examples
    if not options.out_dir.is_dir():
        raise SdgCiError(f"{plain(str(options.out_dir), None)}: no such folder")
    print(f"wrote {plain(str(write_html_report(options.out_dir, taxonomy_root=root)), None)}")
    return 0
