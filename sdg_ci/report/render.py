"""Markdown for a check: the PR comment and the job summary (the same text).

Order: the verdict line first; what failed (validation diagnostics with file:line links to
the PR's head commit, failed quality gates); an overview table of the changed leaves; a
section per generated leaf (a table with the funnel, ratings, faithfulness, duplicates,
parse failures and errors; collapsible kept pairs and rejection reasons with an example
each); deleted leaves; the run (models, requests, tokens, cache hits, wall time); how to
reproduce locally.

Every piece of contributor or model text goes through `sdg_ci.report.escape`. The result
stays under `limit` characters (GitHub's comment limit is 65,536): examples are shortened,
then cut, then long diagnostic lists, and the text says so.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from sdg_ci.config import GatesConfig
from sdg_ci.diagnostics import Diagnostic, FileResult
from sdg_ci.records.check import CheckSummary
from sdg_ci.records.diff import LeafChange
from sdg_ci.records.gates import GateResult
from sdg_ci.records.run import LeafSummary, RunSummary
from sdg_ci.report.escape import code_block, code_span, inline, quoted, url_path
from sdg_ci.report.gates import evaluate
from sdg_ci.report.html import REPORT_FILE, report_markdown_line

DEFAULT_LIMIT = 60_000  # GitHub: 65,536; room for the marker and a fallback note

KIND_NAMES = {
    "knowledge": "knowledge",
    "freeform_skill": "freeform skill",
    "grounded_skill": "grounded skill",
}


@dataclass(frozen=True)
class Detail:
    """How much to show; `render` steps down these until the text fits."""

    examples: int = 3  # kept pairs shown per leaf
    example_chars: int = 1200
    rejections: int = 5  # rejection reasons shown per leaf
    rejection_chars: int = 300  # 0: reasons and counts only, no example text
    diagnostics_per_file: int = 100
    show_warnings: bool = True
    note: str = ""


LEVELS = [
    Detail(),
    Detail(examples=2, example_chars=500, rejections=3, rejection_chars=160),
    Detail(examples=1, example_chars=200, rejections=3, rejection_chars=80),
    Detail(examples=0, rejections=3, rejection_chars=0, diagnostics_per_file=50),
    Detail(examples=0, rejections=0, rejection_chars=0, diagnostics_per_file=10,
           show_warnings=False),
]


def render(summary: CheckSummary, limit: int = DEFAULT_LIMIT) -> str:
    """The markdown for `summary`, under `limit` characters."""
    text = ""
    for i, level in enumerate(LEVELS):
        if i:
            what = (
                "Examples were shortened"
                if level.examples
                else "Examples were left out"
            )
            if level.diagnostics_per_file < LEVELS[0].diagnostics_per_file:
                what += " and long diagnostic lists cut"
            level = replace(
                level,
                note=f"{what} to stay under GitHub's comment size limit; the full data is "
                "in the output folder (`check.json`, `summary.json`, the JSONL files).",
            )
        text = _Renderer(summary, level).render()
        if len(text) <= limit:
            return text
    return _hard_cut(text, limit)


def render_run(run: RunSummary, limit: int = DEFAULT_LIMIT) -> str:
    """Markdown for a bare generation run (no diff, no validation)."""
    summary = CheckSummary(
        generation=run,
        changes=[LeafChange(path=leaf.path, status=leaf.status) for leaf in run.leaves],
        gates=evaluate(run, GatesConfig()),
    )
    return render(summary, limit)


def _hard_cut(text: str, limit: int) -> str:
    """Last resort: cut at a line, close what is open, say so."""
    note = "\n\n_(The rest was cut to stay under GitHub's comment size limit; see the " \
        "output folder for everything.)_\n"
    cut = text[: max(0, limit - len(note) - 200)]
    cut = cut.rsplit("\n", 1)[0]
    opened = cut.count("<details>") - cut.count("</details>")
    fences = re.findall(r"^(`{3,})", cut, flags=re.M)
    if len(fences) % 2:
        cut += "\n" + fences[-1]
    cut += "\n</details>" * max(0, opened)
    return cut + note


def _own(text: str) -> str:
    """Text this tool wrote itself (no contributor input): only table pipes and HTML
    brackets are escaped, so it stays readable in the raw markdown."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _endpoint_host(endpoint: str) -> str:
    """`embedded`, or just the host of a URL (no path, no credentials) for a public page."""
    if "://" not in endpoint:
        return endpoint
    host = urlsplit(endpoint).hostname or "remote endpoint"
    return host


def _n(value: int | float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _duration(seconds: float) -> str:
    seconds = max(0.0, float(seconds))
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, s = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {s:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _stage_out(leaf: LeafSummary, value: int, *stages: str) -> int | None:
    """A funnel step; from the stage counts for summaries written before its field,
    None (shown as —) when neither says."""
    if value:
        return value
    outs = [s.rows_out for s in leaf.stages if s.stage in stages]
    return sum(outs) if outs else None


def _new(leaf: LeafSummary) -> int | None:
    """Questions left after dedup, going to the critic."""
    return _stage_out(leaf, leaf.questions_new, "dedup")


def _rated(leaf: LeafSummary) -> int | None:
    """Pairs the rating kept, before the final dedup."""
    return _stage_out(leaf, leaf.pairs_rated, "pair_rating", "pair_eval")


class _Renderer:
    def __init__(self, summary: CheckSummary, detail: Detail):
        self.s = summary
        self.d = detail
        self.out: list[str] = []
        self.gates_by_leaf: dict[str, list[GateResult]] = {}
        for g in summary.gates:
            self.gates_by_leaf.setdefault(g.leaf, []).append(g)
        self.validation = {f.path: f for f in summary.validation}
        self.generated = {
            leaf.path: leaf for leaf in (summary.generation.leaves if summary.generation else [])
        }

    # ---------------------------------------------------------------- helpers
    def add(self, *lines: str) -> None:
        self.out.extend(lines)

    def link(self, path: str, line: int | None = None, col: int | None = None) -> str:
        """`path:line:col` linked to the PR head commit when the check knows where it ran."""
        label = path + (f":{line}" if line else "") + (f":{col}" if line and col else "")
        pr = self.s.pull_request
        repo = pr.repository or ""
        sha = pr.head_sha or ""
        if (
            re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo)
            and re.fullmatch(r"[0-9a-f]{7,64}", sha)
            and re.fullmatch(r"https?://[A-Za-z0-9.:-]+(/[A-Za-z0-9._~/-]*)?", pr.server_url)
        ):
            url = f"{pr.server_url}/{repo}/blob/{sha}/{url_path(self.s.repo_path(path))}"
            if line:
                url += f"#L{int(line)}"
            return f"[{inline(label, 300)}]({url})"
        return code_span(label)

    # ---------------------------------------------------------------- sections
    def render(self) -> str:
        self.verdict()
        if self.d.note:
            self.add("", f"> [!NOTE]\n> {self.d.note}")
        self.validation_section()
        self.gates_section()
        self.leaves_overview()
        self.leaf_sections()
        self.deleted_section()
        self.run_section()
        return "\n".join(self.out).rstrip() + "\n"

    def verdict(self) -> None:
        s = self.s
        changed = s.changed_leaves
        if s.verdict == "pass":
            head = "## ✅ sdg-ci: passed"
        elif s.verdict == "error":
            head = "## ⛔ sdg-ci: error — " + inline("; ".join(s.problems), 500)
        else:
            head = "## ❌ sdg-ci: failed — " + inline("; ".join(s.problems), 500)
        self.add(head, "")
        facts = []
        if not s.changes:
            facts.append("no leaf changed")
        else:
            counts = Counter(c.status for c in s.changes)
            order = ["added", "modified", "renamed", "deleted"]
            detail = ", ".join(f"{counts[k]} {k}" for k in order if counts.get(k))
            facts.append(f"**{_plural(len(s.changes), 'changed leaf', 'changed leaves')}** "
                         f"({detail})")
        if changed:
            invalid = len(s.invalid_files)
            facts.append(f"{invalid} invalid" if invalid else "all valid")
        if s.generation is not None:
            facts.append(f"**{_plural(s.pairs_kept, 'pair')} kept**")
            failed = s.gate_failures
            facts.append(
                f"{_plural(len(failed), 'quality gate')} failed" if failed
                else "all quality gates met"
            )
        elif s.generation_skipped and changed:
            facts.append("generation skipped: " + _own(s.generation_skipped))
        self.add(" · ".join(facts))
        if s.base or s.head:
            where = []
            if s.base:
                where.append(f"base {code_span(s.base, 100, False)}")
            if s.merge_base:
                where.append(f"merge base {code_span(s.merge_base[:12], 20, False)}")
            if s.head:
                where.append(f"head {code_span(s.head[:12], 20, False)}")
            self.add("", "Compared " + ", ".join(where) + ".")
        if s.generation_error:
            self.add("", "> [!CAUTION]", "> Generation failed: " + inline(s.generation_error, 1000))
        if s.generation is not None and s.generation.notes:
            self.add("", "> [!NOTE]")
            for i, note in enumerate(s.generation.notes):
                self.add(*([">"] if i else []), "> " + inline(note, 600))

    def validation_section(self) -> None:
        files = [f for f in self.s.validation if f.errors or (f.warnings and self.d.show_warnings)]
        if not files:
            return
        invalid = [f for f in files if not f.valid]
        title = "### ❌ Validation" if invalid else "### ⚠️ Validation warnings"
        self.add("", title)
        for f in sorted(files, key=lambda f: (f.valid, f.path)):
            self.file_diagnostics(f)

    def file_diagnostics(self, f: FileResult) -> None:
        counts = []
        if f.errors:
            counts.append(_plural(len(f.errors), "error"))
        if f.warnings:
            counts.append(_plural(len(f.warnings), "warning"))
        self.add("", f"{'❌' if f.errors else '⚠️'} {self.link(f.path)} — {', '.join(counts)}")
        if f.errors:
            self.add("")
            self.diag_table(f, f.errors)
        if f.warnings and self.d.show_warnings:
            if f.errors:
                self.add("", f"<details><summary>{_plural(len(f.warnings), 'warning')}</summary>",
                         "")
                self.diag_table(f, f.warnings)
                self.add("", "</details>")
            else:
                self.add("")
                self.diag_table(f, f.warnings)

    def diag_table(self, f: FileResult, diags: list[Diagnostic]) -> None:
        limit = self.d.diagnostics_per_file
        self.add("| Where | Code | Message |", "|---|---|---|")
        for d in diags[:limit]:
            where = self.link(f.path, d.line, d.column)
            msg = inline(d.message, 500)
            if d.yaml_path:
                msg += " (" + code_span(d.yaml_path, 120) + ")"
            self.add(f"| {where} | {code_span(d.code, 20)} | {msg} |")
        if len(diags) > limit:
            self.add(f"| … | | {len(diags) - limit:,} more not shown |")

    def gates_section(self) -> None:
        failed = self.s.gate_failures
        if not failed:
            return
        self.add("", "### ❌ Quality gates", "", "| Leaf | Gate | Measured | Threshold |",
                 "|---|---|---|---|")
        for g in failed:
            rate = g.gate.endswith("_rate")
            value = _pct(g.value) if rate else _n(g.value)
            threshold = _pct(g.threshold) if rate else _n(g.threshold)
            sign = "≤" if g.gate.startswith("max_") else "≥"
            self.add(
                f"| {self.link(g.leaf)} | {code_span(g.gate, 40)} | {value} | {sign} {threshold} |"
            )
        self.add("", "Thresholds come from `gates:` in `.sdg-ci.yaml` (per taxonomy subtree).")

    def leaves_overview(self) -> None:
        present = [c for c in self.s.changes if c.status != "deleted"]
        if not present:
            return
        projected = bool(self.s.projections)
        self.add("", "### Changed leaves", "",
                 "| Leaf | Kind | Status | Valid | Pairs kept | Mean rating | Gates |"
                 + (" At full scale (projected / target) |" if projected else ""),
                 "|---|---|---|---|---|---|---|" + ("---|" if projected else ""))
        for c in present:
            v = self.validation.get(c.path)
            valid = "—" if v is None else ("✅" if v.valid else "❌")
            leaf = self.generated.get(c.path)
            gates = self.gates_by_leaf.get(c.path, [])
            if leaf is None:
                reason = "invalid" if v is not None and not v.valid else "not generated"
                kind = "—"
                kept = f"— ({reason})"
                rating = "—"
                gate_cell = "—"
            else:
                kind = KIND_NAMES.get(leaf.kind, inline(leaf.kind, 40))
                kept = _n(leaf.pairs_kept)
                rating = _n(leaf.mean_rating)
                bad = [g for g in gates if not g.passed]
                gate_cell = f"❌ {len(bad)} failed" if bad else ("✅" if gates else "—")
            status = inline(c.status, 20)
            if c.old_path:
                status += " from " + code_span(c.old_path, 150)
            self.add(f"| {self.link(c.path)} | {kind} | {status} | {valid} | {kept} | {rating} "
                     f"| {gate_cell} |" + (f" {self.projection_cell(c.path)} |" if projected
                                           else ""))

    def projection_cell(self, path: str) -> str:
        """`~N / T`, and a warning per flag (thin source, would dominate its subtree)."""
        p = self.s.projections.get(path)
        if p is None:
            return "—"
        cell = f"~{_n(p.projected_kept)} / {_n(p.target)}"
        return " ".join([cell, *(f"⚠️ {inline(flag, 300)}" for flag in p.flags)])

    def leaf_sections(self) -> None:
        if not self.generated:
            return
        for leaf in self.generated.values():
            self.leaf_section(leaf)

    def leaf_section(self, leaf: LeafSummary) -> None:
        bad = [g for g in self.gates_by_leaf.get(leaf.path, []) if not g.passed]
        mark = "❌" if bad else ("⚠️" if leaf.teacher_too_weak or leaf.notes else "✅")
        hist = leaf.rating_histogram or {}
        funnel = " → ".join(
            _n(x) for x in (leaf.questions_generated, _new(leaf), leaf.questions_kept,
                            leaf.answered, _rated(leaf), leaf.pairs_kept)
        )
        self.add(
            "",
            f"#### {mark} {code_span(leaf.path, 200, False)}",
            "",
            "| Kind | Status | Seeds | Questions → new (after dedup) → kept by critic → answered "
            "→ kept by rating → kept (after final dedup) "
            "| Mean rating | Ratings 1 / 2 / 3 | Faithfulness | Duplicates | Degenerate "
            "| Parse failures | Errors |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
            f"| {KIND_NAMES.get(leaf.kind, inline(leaf.kind, 40))} | {inline(leaf.status, 20)} "
            f"| {_n(leaf.seeds)} | {funnel} | {_n(leaf.mean_rating)} "
            f"| {_n(hist.get('1', 0))} / {_n(hist.get('2', 0))} / {_n(hist.get('3', 0))} "
            f"| {_pct(leaf.faithfulness_rate) if leaf.kind == 'knowledge' else 'n/a'} "
            f"| {_n(leaf.duplicates)} | {_n(leaf.degenerate)} | {_n(leaf.parse_failures)} "
            f"| {_n(leaf.errors)} |",
        )
        if leaf.teacher_too_weak and not any("weak" in n.lower() for n in leaf.notes):
            self.add("", "> [!WARNING]", "> The teacher looks too weak for this leaf: most of "
                     "its output failed to parse or was rejected. Use a stronger model.")
        for note in leaf.notes:
            self.add("", "> [!WARNING]", "> " + inline(note, 600))
        self.examples(leaf)
        self.rejections(leaf)

    def examples(self, leaf: LeafSummary) -> None:
        n = min(self.d.examples, len(leaf.kept_examples))
        if not n:
            return
        self.add("", f"<details><summary>Kept pairs ({n} of {_n(leaf.pairs_kept)} shown)"
                 "</summary>")
        limit = self.d.example_chars
        for i, ex in enumerate(leaf.kept_examples[:n], 1):
            rating = f" · rating {ex.rating}" if ex.rating is not None else ""
            self.add("", f"**Pair {i}**{rating}", "")
            if ex.context:
                self.add("> **Context:** " + quoted(ex.context, limit), "")
            self.add("> **Q:** " + quoted(ex.question, limit), ">",
                     "> **A:** " + quoted(ex.answer, limit))
        self.add("", "</details>")

    def rejections(self, leaf: LeafSummary) -> None:
        if not leaf.rejections or not self.d.rejections:
            return
        # most common reasons first; one example each
        grouped: dict[tuple[str, str], list] = {}
        for r in leaf.rejections:
            grouped.setdefault((r.stage, r.reason), []).append(r)
        ranked = sorted(
            grouped.items(), key=lambda kv: (-sum(r.count for r in kv[1]), kv[0])
        )[: self.d.rejections]
        total = max(leaf.rejected_rows, sum(r.count for r in leaf.rejections))
        self.add("", f"<details><summary>Rejections ({_plural(total, 'row')} in "
                 f"`rejected.jsonl`; the {_plural(len(ranked), 'most common reason')})"
                 "</summary>", "")
        if self.d.rejection_chars:
            self.add("| Stage | Reason | Rows | Example |", "|---|---|---|---|")
        else:
            self.add("| Stage | Reason | Rows |", "|---|---|---|")
        for (stage, reason), items in ranked:
            count = sum(r.count for r in items)
            said = f" — the critic said {inline(items[0].quote, 200)}" if items[0].quote else ""
            row = f"| {inline(stage, 40)} | {inline(reason, 200)}{said} | {count:,} |"
            if self.d.rejection_chars:
                row += f" {inline(items[0].text, self.d.rejection_chars)} |"
            self.add(row)
        self.add("", "</details>")

    def deleted_section(self) -> None:
        deleted = [c for c in self.s.changes if c.status == "deleted"]
        if not deleted:
            return
        self.add("", "### Deleted leaves", "")
        for c in deleted:
            self.add(f"- {code_span(c.path, 200, False)} — gone; its generated data is removed "
                     "on the next build")

    def run_section(self) -> None:
        s = self.s
        self.add("", "### Run", "")
        g = s.generation
        if g is not None:
            models = ", ".join(
                f"{inline(m.role, 20)} {code_span(m.model, 120, False)}"
                + (f" ({inline(_endpoint_host(m.endpoint), 120)})" if m.endpoint else "")
                for m in g.models
            )
            if models:
                self.add(f"- Models: {models}")
            u = g.usage
            self.add(
                f"- Requests: {_n(u.requests)} ({_n(u.cache_hits)} from the cache) · tokens: "
                f"{_n(u.prompt_tokens)} prompt + {_n(u.completion_tokens)} completion",
                f"- Generation scale: {inline(g.scale, 20)} · generation wall time "
                f"{_duration(g.wall_s)}",
            )
        self.add(f"- Check wall time: {_duration(s.wall_s)} · sdg-ci {inline(s.tool_version, 20)}")
        if s.pull_request.run_url:
            self.add(f"- Data and `summary.json`: the artifact of [this workflow run]"
                     f"({s.pull_request.run_url})")
            self.add(report_markdown_line(REPORT_FILE, s.pull_request.run_url))
        elif s.out_dir:
            self.add(f"- Data and `summary.json`: {code_span(s.out_dir, 300, False)}")
            self.add(report_markdown_line(PurePosixPath(s.out_dir, REPORT_FILE).as_posix()))
        if s.reproduce:
            self.add("", "Reproduce locally:", "", code_block(s.reproduce, 1000, "sh"))
