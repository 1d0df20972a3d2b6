"""Cache and resume: a second run makes no call; a run killed midway loses no finished call."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml
from gen_taxonomy import make_config, make_taxonomy
from openai_server import FakeOpenAI

from sdg_ci.generate.runner import generate

REPO = Path(__file__).resolve().parents[2]


def files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.jsonl"))}


def test_second_identical_run_makes_zero_calls(tmp_path, openai_server):
    root = tmp_path / "tax"
    leaves = make_taxonomy(root)
    config = make_config(openai_server.url, tmp_path / "cache")
    first = generate(root, leaves, config, tmp_path / "out1", progress=False)
    calls = len(openai_server.requests)
    assert first.usage.requests == calls > 0
    second = generate(root, leaves, config, tmp_path / "out2", progress=False)
    assert len(openai_server.requests) == calls  # not one request more
    assert second.usage.requests == 0
    assert second.usage.cache_hits == first.usage.requests
    assert files(tmp_path / "out1") == files(tmp_path / "out2")
    assert any("replayed from the cache" in note for note in second.notes)


def test_unchanged_leaf_costs_nothing_when_another_changes(tmp_path, openai_server):
    root = tmp_path / "tax"
    freeform, grounded = make_taxonomy(root, knowledge=False)
    config = make_config(openai_server.url, tmp_path / "cache")
    generate(root, [freeform, grounded], config, tmp_path / "out1", progress=False)
    data = yaml.safe_load((root / grounded).read_text())
    data["seed_examples"][0]["answer"] += "\n- and one more line"
    (root / grounded).write_text(yaml.safe_dump(data))
    second = generate(root, [freeform, grounded], config, tmp_path / "out2", progress=False)
    by = {leaf.path: leaf for leaf in second.leaves}
    assert by[freeform].usage.requests == 0
    assert by[grounded].usage.requests > 0 and by[grounded].usage.cache_hits > 0


def _cli(root: Path, out: Path, url: str) -> list[str]:
    return [sys.executable, "-m", "sdg_ci", "-C", str(root), "generate", "compositional_skills",
            "--out", str(out), "--teacher-url", url, "--teacher-model", "fake-model",
            "--no-progress"]


def _write_config(root: Path, cache: Path) -> None:
    config = make_config("http://unused", cache)
    data = config.model_dump(mode="json", by_alias=True)["generate"]
    data.pop("teacher")
    data.pop("critic")
    (root / ".sdg-ci.yaml").write_text(yaml.safe_dump({"generate": data}))


def test_killed_run_resumes_without_repeating_finished_calls(tmp_path):
    root = tmp_path / "tax"
    make_taxonomy(root, seeds=3, knowledge=False)
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    # the reference: a clean run in its own cache, to know every call a full run makes
    _write_config(root, tmp_path / "cache-ref")
    with FakeOpenAI() as ref:
        subprocess.run(_cli(root, tmp_path / "ref", ref.url), env=env, check=True,
                       capture_output=True, timeout=120)
        full = {r.key for r in ref.answered()}

    _write_config(root, tmp_path / "cache")
    with FakeOpenAI(delay_s=0.01) as server:
        server.add_fault("hold", skip=len(full) // 2, times=None)  # then every call hangs
        proc = subprocess.Popen(_cli(root, tmp_path / "out1", server.url), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(server.requests) <= len(full) // 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        _wait_quiet(server)  # every answer sent has had time to reach the cache
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        finished = {r.key for r in server.answered()}
        assert 0 < len(finished) < len(full)
        server.faults.clear()
        server.release()
        before = len(server.requests)
        done = subprocess.run(_cli(root, tmp_path / "out2", server.url), env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        second = [r.key for r in server.requests[before:]]
    assert not finished & set(second), "a finished call was made again"
    assert finished | set(second) == full
    assert files(tmp_path / "out2") == files(tmp_path / "ref")


def _wait_quiet(server: FakeOpenAI, quiet_s: float = 0.5) -> None:
    last, since = len(server.requests), time.monotonic()
    while time.monotonic() - since < quiet_s:
        time.sleep(0.05)
        if len(server.requests) != last:
            last, since = len(server.requests), time.monotonic()
