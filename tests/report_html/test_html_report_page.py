"""The report page without a browser: what is embedded, how, and what the command does."""

from __future__ import annotations

import json
import re

import pytest
from hostile_text import HOSTILE_ANSWER, HOSTILE_SEED

from sdg_ci.cli import main
from sdg_ci.errors import SdgCiError
from sdg_ci.report.html import REPORT_FILE, report_markdown_line, write_html_report
from sdg_ci.report.html.collect import collect
from sdg_ci.report.html.page import asset, csp_hash, embed_json, render_page


def embedded_data(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="report-data">(.*?)</script>',
                      html, re.S)
    return json.loads(block.group(1))


def test_embedded_json_cannot_close_its_block_or_open_a_comment():
    data = {"q": "</script><script>alert(1)</script><!-- ]]> & \u2028"}
    text = embed_json(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data


def test_the_policy_allows_exactly_the_inline_script_and_style():
    html = render_page({"rows": [], "leaves": [], "run": {}, "notes": []})
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert scripts == [asset("report.js")] and styles == [asset("report.css")]
    assert f"script-src {csp_hash(scripts[0])}" in policy
    assert f"style-src {csp_hash(styles[0])}" in policy
    assert not re.search(r"\b(src|href)=\"https?:", html)  # nothing fetched from anywhere
    assert "innerHTML" not in scripts[0] and "insertAdjacentHTML" not in scripts[0]


def test_a_run_folder_becomes_rows_seeds_and_counts(sample_run):
    root, out = sample_run
    summary = json.loads((out / "summary.json").read_text())
    data = collect(out, root)
    assert [leaf["path"] for leaf in data.leaves] == [s["path"] for s in summary["leaves"]]
    for index, (leaf, s) in enumerate(zip(data.leaves, summary["leaves"], strict=True)):
        kept = [r for r in data.rows if r["l"] == index and r["s"] == "kept"]
        assert len(kept) == leaf["kept_rows"] == s["pairs_kept"]
        assert leaf["examples"], leaf["path"]
    haiku = next(leaf for leaf in data.leaves if "haiku" in leaf["path"])
    assert haiku["examples"][0]["q"] == HOSTILE_SEED
    assert any(HOSTILE_ANSWER in (r.get("a") or "") for r in data.rows)
    rated = [r for r in data.rows if r["s"] == "kept"]
    assert all(r["r"] in (1, 2, 3) and r["w"] for r in rated)  # rating and critic reasons


def test_the_html_holds_the_hostile_text_only_escaped(sample_run):
    root, out = sample_run
    html = write_html_report(out, taxonomy_root=root).read_text(encoding="utf-8")
    assert HOSTILE_SEED not in html and HOSTILE_ANSWER not in html
    assert html.count("</script>") == 2  # the data block's and the script's own
    assert "<!--" not in html
    haiku = next(leaf for leaf in embedded_data(html)["leaves"] if "haiku" in leaf["path"])
    assert haiku["examples"][0]["q"] == HOSTILE_SEED  # the text survives, as data


def test_paths_in_summary_json_cannot_reach_outside_the_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "secret.jsonl").write_text('{"stage": "x", "question": "SECRET"}\n')
    (out / "summary.json").write_text(json.dumps({"leaves": [{
        "path": "../../etc/qna.yaml", "kind": "knowledge", "data_file": "../secret.jsonl",
        "rejected_file": str(tmp_path / "secret.jsonl")}]}))
    data = collect(out, taxonomy_root=tmp_path)
    assert data.rows == []
    assert "SECRET" not in json.dumps(data.to_json())


def test_report_command_writes_the_file_and_refuses_a_folder_without_a_run(
        sample_run, tmp_path, capsys):
    root, out = sample_run
    (out / REPORT_FILE).unlink()
    assert main(["-C", str(root), "report", "html", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out / REPORT_FILE}"
    assert (out / REPORT_FILE).is_file()
    assert main(["report", "html", str(tmp_path)]) == 2
    assert "not the output folder of an sdg-ci run" in capsys.readouterr().err
    with pytest.raises(SdgCiError):
        write_html_report(tmp_path)


def test_generate_writes_the_report_beside_its_data(sample_run):
    _, out = sample_run  # the fixture ran `sdg-ci generate`
    assert (out / REPORT_FILE).is_file()


def test_a_dataset_folder_reports_its_last_run_and_balance(tmp_path, sample_run):
    root, out = sample_run
    dataset = tmp_path / "ds"
    dataset.mkdir()
    (dataset / "manifest.json").write_text('{"leaves": {}}')
    assert collect(dataset).notes == ["this dataset has no generation run to show yet"]
    import shutil

    shutil.copytree(out, dataset / "last_run")
    (dataset / "balance.json").write_text(json.dumps({"leaves": {
        "compositional_skills/writing/haiku": {"rows": 6, "target": 10, "short_by": 4,
                                               "reason": "few seeds"}}}))
    data = collect(dataset, root)
    assert data.balance["leaves"]["compositional_skills/writing/haiku"]["short_by"] == 4
    assert sum(leaf["kept_rows"] for leaf in data.leaves) > 0


def test_markdown_line_points_at_the_artifact_or_the_file():
    line = report_markdown_line("out/report.html", "https://github.com/o/r/actions/runs/1")
    assert "`report.html`" in line and "(https://github.com/o/r/actions/runs/1)" in line
    assert report_markdown_line("out/report.html") == (
        "- Review every pair: open `out/report.html` in a browser")
