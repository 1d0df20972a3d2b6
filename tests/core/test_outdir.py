"""Two runs into one output folder: atomic files, and a plain answer for the second run."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sdg_ci.errors import SdgCiError
from sdg_ci.outdir import LOCK_NAME, run_lock, write_text_atomic

HOLDER = """
import sys, time
from pathlib import Path
from sdg_ci.outdir import run_lock
with run_lock(Path(sys.argv[1]), "generate"):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes our stdin
"""


def test_atomic_writes_from_many_threads_never_collide_or_leave_temp_files(tmp_path):
    target = tmp_path / "out" / "summary.json"
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(50):
                write_text_atomic(target, f"{n}-{i}\n" * 100)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    text = target.read_text()
    assert len(set(text.splitlines())) == 1  # one writer's whole file, never a mix
    assert [p.name for p in target.parent.iterdir()] == ["summary.json"]


def test_a_second_process_is_told_the_folder_is_in_use(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(SdgCiError, match="in use by another sdg-ci run.*another --out"):
            with run_lock(out, "check"):
                pass
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    with run_lock(out, "check"):  # free again once the first run ends
        assert (out / LOCK_NAME).exists()


def test_the_lock_is_reentrant_within_one_run(tmp_path):
    """`check` holds its folder and runs generation into the same folder."""
    with run_lock(tmp_path, "check"), run_lock(Path(tmp_path), "generate"):
        pass


def test_generate_cli_refuses_a_folder_in_use(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generate"))
    from gen_taxonomy import make_taxonomy

    from sdg_ci.cli import main

    root = tmp_path / "tax"
    leaves = make_taxonomy(root)
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        code = main(["-C", str(root), "generate", "--out", str(out), "--no-progress",
                     "--teacher-url", "http://127.0.0.1:9/v1", "--teacher-model", "m",
                     leaves[0]])
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert code == 2
    assert not (out / "summary.json").exists()
