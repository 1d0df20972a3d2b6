"""`sdg-ci build`: output lines and exit statuses (engine replaced by the stand-in)."""

from __future__ import annotations

import json
import sys

import pytest
from build_helpers import FakeGenerate, skill

import sdg_ci.build.dataset
from sdg_ci.cli import main

POEMS = "compositional_skills/writing/poems/qna.yaml"
PROSE = "compositional_skills/writing/prose/qna.yaml"


@pytest.fixture
def gen(monkeypatch):
    fake = FakeGenerate()
    monkeypatch.setattr(sdg_ci.build.dataset, "_real_generate", fake)
    return fake


def test_build_cli_text(taxonomy, tmp_path, gen, capsys):
    dataset = tmp_path / "ds"
    assert main(["-C", str(taxonomy.root), "build", "--out", str(dataset), "--no-progress"]) == 0
    before = taxonomy.git("rev-parse", "HEAD")
    taxonomy.write(POEMS, skill("Sonnet?"))
    taxonomy.remove(PROSE)
    after = taxonomy.commit()
    capsys.readouterr()
    code = main(["-C", str(taxonomy.root), "build", "--out", str(dataset), "--no-progress",
                 "--commits", f"{before}..{after}"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[:2] == [f"generated {POEMS}", f"removed   {PROSE}"]
    table = out[2:-2]
    assert table[0].split() == ["leaf", "rows", "target", "short", "kept", "gen"]
    assert [line.split()[:4] for line in table[1:4]] == [
        ["compositional_skills/math", "2", "100", "98"],
        ["compositional_skills/writing/poems", "1", "100", "99"],
        ["knowledge/science/physics", "1", "100", "99"]]
    assert table[4] == ("balance: largest/smallest - (leaves at target), Gini 0.1667, "
                        "largest share 50.0 %, 3 short")
    assert out[-2:] == [
        "1 generated, 0 moved, 1 removed, 2 unchanged, 0 invalid (1 model requests)",
        f"dataset at {after[:12]}: 3 leaves, 4 pairs in {dataset / 'train.jsonl'} "
        "(index: manifest.json, balance: balance.json)",
    ]


def test_build_cli_json_and_incomplete_exit_1(taxonomy, tmp_path, gen, capsys):
    gen.fail = {POEMS}
    code = main(["-C", str(taxonomy.root), "build", "--out", str(tmp_path / "ds"),
                 "--no-progress", "--format", "json", "--scale", "preview"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["incomplete"] == [POEMS]
    assert data["leaves"] == 4 and gen.calls[0]["scale"] == "preview"


def test_build_cli_bad_range_exit_2(taxonomy, tmp_path, gen, capsys):
    code = main(["-C", str(taxonomy.root), "build", "--out", str(tmp_path / "ds"),
                 "--commits", "nope..HEAD"])
    assert code == 2
    assert "base 'nope' not found" in capsys.readouterr().err


def test_printed_paths_cannot_start_a_workflow_command(tmp_path):
    from sdg_ci.build import BuildResult
    from sdg_ci.commands.build import render_text

    bad = "knowledge/a\n::error title=Injected::pwned/qna.yaml"
    result = BuildResult(dataset=tmp_path, commit=None, diff=None, generated=[bad, bad + "2"],
                         moved={bad + "3": bad}, removed=[bad], incomplete=[bad + "2"])
    lines = render_text(result).splitlines()
    assert len(lines) == 6
    assert not any(line.lstrip().startswith("::") for line in lines)


def test_build_cli_ray_without_ray_names_the_extra(taxonomy, tmp_path, gen, capsys,
                                                   monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    code = main(["-C", str(taxonomy.root), "build", "--out", str(tmp_path / "ds"),
                 "--no-progress", "--ray"])
    assert code == 2
    assert "--ray needs Ray, an optional extra: pip install 'sdg-ci[ray]'" in \
        capsys.readouterr().err
    assert gen.calls == [] and not (tmp_path / "ds").exists()
