"""The HTML report: one self-contained `report.html` beside a run's data, for reviewers.

`write_html_report(out_dir)` reads only the files a run leaves in its output folder
(`summary.json`, `check.json`, the per-leaf `pairs.jsonl` / `rejected.jsonl`, a build's
`balance.json`) and, when the taxonomy is at hand, each leaf's seed examples.
"""

from __future__ import annotations

from pathlib import Path

from sdg_ci.outdir import write_text_atomic
from sdg_ci.report.html.collect import collect
from sdg_ci.report.html.page import render_page

REPORT_FILE = "report.html"


def write_html_report(out_dir: Path, taxonomy_root: Path | None = None) -> Path:
    """Write `out_dir/report.html` (atomically) and return its path.

    Raises SdgCiError when the folder holds no run record at all."""
    out_dir = Path(out_dir)
    html = render_page(collect(out_dir, taxonomy_root).to_json())
    target = out_dir / REPORT_FILE
    write_text_atomic(target, html)
    return target


def report_markdown_line(report: Path | str, run_url: str | None = None) -> str:
    """One markdown line saying where the report is: in the workflow run's artifact when
    the run is known (the PR summary and the job summary), else the local path."""
    from sdg_ci.report.escape import code_span

    name = Path(report).name
    if run_url:
        return (f"- Review every pair: {code_span(name, 100, False)} in the artifact of "
                f"[this workflow run]({run_url}) (download, unzip, open in a browser)")
    return f"- Review every pair: open {code_span(str(report), 300, False)} in a browser"


__all__ = ["REPORT_FILE", "report_markdown_line", "write_html_report"]
