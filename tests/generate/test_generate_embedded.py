"""End to end with the embedded default model (SmolLM2-135M via llama.cpp) on the example
taxonomy, at a tiny scale: the pipeline runs with no server configured and no network."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
import yaml

from sdg_ci.config import load_config
from sdg_ci.generate.model import embedded
from sdg_ci.generate.runner import generate
from sdg_ci.taxonomy.leaf import find_leaf_files

REPO = Path(__file__).resolve().parents[2]
TINY = {
    "questions_per_seed": {"preview": 2}, "max_seeds": {"preview": 1},
    "contexts_per_seed": {"preview": 1}, "questions_per_context": 2,
    "questions_per_chunk": {"preview": 2}, "max_chunks": {"preview": 1},
    "embedded": {"max_tokens": 160},
}


@pytest.mark.slow
def test_embedded_default_end_to_end(tmp_path, monkeypatch):
    try:
        embedded.model_path()
    except embedded.EmbeddedUnavailable as exc:
        pytest.fail(f"the embedded model must be installed for this test: {exc}")
    shutil.copytree(REPO / "taxonomy", tmp_path / "taxonomy")
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    root = tmp_path / "taxonomy"
    settings = yaml.safe_load((root / ".sdg-ci.yaml").read_text()) or {}
    settings["generate"] = {**TINY, "cache_dir": str(tmp_path / "cache")}
    settings.setdefault("documents", {})["chunk_tokens"] = 300  # short prompts on 2 cores
    (root / ".sdg-ci.yaml").write_text(yaml.safe_dump(settings))
    config = load_config(root)
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    leaves = find_leaf_files(root)
    kinds = {"knowledge", "freeform_skill", "grounded_skill"}

    started = time.monotonic()
    summary = generate(root, leaves, config, tmp_path / "out", progress=False)
    took = time.monotonic() - started
    print(f"embedded e2e: {took:.1f}s, {summary.usage.requests} requests, "
          f"{summary.usage.completion_tokens} tokens, {summary.pairs_kept} pairs kept")

    assert {leaf.kind for leaf in summary.leaves} == kinds
    assert [m.endpoint for m in summary.models] == ["embedded", "embedded"]
    assert any("embedded default" in note for note in summary.notes)
    assert summary.usage.requests > 0
    assert sum(leaf.questions_generated for leaf in summary.leaves) > 0
    for leaf in summary.leaves:
        assert not any(n.startswith("internal error") for n in leaf.notes), leaf.notes
        assert leaf.errors == 0, leaf.notes
        for stage in leaf.stages:
            assert stage.rows_in == stage.rows_out + sum(stage.dropped.values())
        for line in (tmp_path / "out" / leaf.data_file).read_text().splitlines():
            assert json.loads(line)["metadata"]["models"]["teacher"] == embedded.model_id()
    assert (tmp_path / "out" / "summary.json").is_file()

    # the same run again: every call replayed, the model never even starts
    again = generate(root, leaves, config, tmp_path / "out2", progress=False)
    assert again.usage.requests == 0
    assert again.usage.cache_hits == summary.usage.requests
    assert again.wall_s < 30

    # as on a busy machine: the same threads, which sleep while they wait; the same data
    monkeypatch.setattr(embedded.EmbeddedServer, "spin_wait", property(lambda self: False))
    settings["generate"]["cache_dir"] = str(tmp_path / "cache-busy")
    (root / ".sdg-ci.yaml").write_text(yaml.safe_dump(settings))
    busy = generate(root, leaves, load_config(root), tmp_path / "out-busy", progress=False)
    log = (tmp_path / "cache-busy" / "embedded-server.log").read_text()
    assert "sleep while they wait" in log
    assert busy.usage.requests == summary.usage.requests and busy.usage.cache_hits == 0
    for leaf in summary.leaves:
        assert ((tmp_path / "out-busy" / leaf.data_file).read_bytes()
                == (tmp_path / "out" / leaf.data_file).read_bytes()), leaf.path
