"""The build's markdown summary: balance.json as a table and a Mermaid bar chart.

Why Mermaid: GitHub renders a ```mermaid block as a chart in job summaries, comments and
READMEs, so rows per subtree show as bars with no image to host. Leaf paths come from the
taxonomy (contributor text): they go through the escaping helpers, and chart labels keep
only characters Mermaid cannot misread.
"""

from __future__ import annotations

import re
from typing import Any

from sdg_ci.report.escape import code_span, inline

_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9_./ -]")
MAX_BARS = 30


def chart_label(text: str) -> str:
    """A subtree path as a quoted x-axis label (no quotes, brackets or HTML inside)."""
    return '"' + _LABEL_UNSAFE.sub("_", text)[:60] + '"'


def subtree_level(report: dict[str, Any]) -> tuple[str, dict[str, dict[str, float]]]:
    """The deepest level with 2 to MAX_BARS subtrees (else the top level): the finest
    breakdown that still reads as a chart."""
    levels = report.get("subtrees") or {}
    best_depth, best = "1", levels.get("1", {})
    for depth in sorted(levels, key=int):
        if 2 <= len(levels[depth]) <= MAX_BARS:
            best_depth, best = depth, levels[depth]
    return best_depth, best


def mermaid_chart(report: dict[str, Any]) -> str:
    """A Mermaid xychart of rows per subtree."""
    depth, level = subtree_level(report)
    names = list(level)[:MAX_BARS]
    rows = [int(level[n]["rows"]) for n in names]
    top = max(rows, default=0) or 1
    return "\n".join([
        "```mermaid",
        "xychart-beta",
        f'    title "Rows in train.jsonl per subtree (depth {depth})"',
        "    x-axis [" + ", ".join(chart_label(n) for n in names) + "]",
        f'    y-axis "rows" 0 --> {top}',
        "    bar [" + ", ".join(str(r) for r in rows) + "]",
        "```",
    ])


def render_balance_markdown(report: dict[str, Any], *, invalid: dict[str, list[str]] | None
                            = None, title: str = "Dataset balance") -> str:
    """The build summary: stats, the chart, a row per leaf, and the invalid leaves."""
    stats = report.get("stats") or {}
    spread = stats.get("max_min_spread_not_short")
    lines = [
        f"## {title}",
        "",
        f"{stats.get('rows', 0)} rows from {stats.get('leaves', 0)} leaves; "
        f"{stats.get('short_leaves', 0)} short of target. Largest / smallest (leaves at "
        f"target): {spread if spread is not None else '-'}; Gini {stats.get('gini', 0)}; "
        f"largest share {round(100 * float(stats.get('largest_share', 0)), 1)} %.",
        "",
        mermaid_chart(report),
        "",
        "| leaf | rows | target | short by | kept | generated | rounds | reason |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for path, leaf in (report.get("leaves") or {}).items():
        lines.append(
            f"| {code_span(path)} | {leaf['rows']} | {leaf['target']} | {leaf['short_by']} "
            f"| {leaf['kept']} | {leaf['generated']} | {leaf.get('rounds', 0)} "
            f"| {inline(leaf.get('reason') or '')} |")
    if invalid:
        lines += ["", "### Invalid leaves (not generated, not in train.jsonl)", ""]
        for path, diagnostics in sorted(invalid.items()):
            lines.append(f"- {code_span(path, in_table=False)}: "
                         + "; ".join(inline(d) for d in diagnostics))
    return "\n".join(lines) + "\n"
