"""A taxonomy reached through a symlinked folder is still one taxonomy (CI checkouts often are)."""

import json
import shutil
from pathlib import Path

from sdg_ci.cli import main

EXAMPLE = Path(__file__).parents[2] / "taxonomy"
LEAF = "compositional_skills/linguistics/irregular_plurals"


def test_leaf_through_a_symlinked_parent_folder_is_inside_its_taxonomy(tmp_path, capsys):
    real = tmp_path / "real" / "taxonomy"
    shutil.copytree(EXAMPLE / LEAF, real / LEAF)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    leaf_via_link = tmp_path / "link" / "taxonomy" / LEAF / "qna.yaml"
    code = main(["validate", "--format", "json", str(leaf_via_link)])
    report = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in report["files"]] == [f"{LEAF}/qna.yaml"]
    assert report["files"][0]["errors"] == []
    assert code == 0


def test_symlinked_leaf_pointing_outside_is_still_refused(tmp_path, capsys):
    root = tmp_path / "taxonomy"
    shutil.copytree(EXAMPLE / LEAF, tmp_path / "elsewhere")
    (root / LEAF).mkdir(parents=True)
    (root / LEAF / "qna.yaml").symlink_to(tmp_path / "elsewhere" / "qna.yaml")
    code = main(["-C", str(root), "validate", "--format", "json"])
    errors = json.loads(capsys.readouterr().out)["files"][0]["errors"]
    assert [e["code"] for e in errors] == ["Q010"]
    assert code == 1
