"""Benchmark `sdg-ci validate` against the reference parser (instructlab-schema 0.4.2).

Builds a synthetic taxonomy of N leaves (default 2,000) from the example leaves in
`taxonomy/` (each copy made distinct, with its attribution.txt), then times:
- `sdg-ci validate --format json` on the whole taxonomy, as a fresh process (interpreter
  start included), with the default worker count and with one worker;
- the reference, `TaxonomyParser.parse` over the same files in one process, as the
  taxonomy repository's CI script runs it (newest schema, attribution check, one yamllint
  subprocess per file), on a spread sample of the files (all with --reference-sample 0).

The reference is never a dependency of sdg_ci: it lives in its own virtualenv, found by
--reference-python or $SDG_CI_REFERENCE_PYTHON; --make-reference-venv DIR creates one
(`pip install instructlab-schema==0.4.2`, needs the package index). Without it, only our
numbers are printed and the reference is reported as not measured.

    .venv/bin/python bench/validate_bench.py [--leaves 2000] [--reference-python PY]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
EXAMPLES = PROJECT / "taxonomy"
REFERENCE_PACKAGE = "instructlab-schema==0.4.2"

# Runs inside the reference virtualenv: what the taxonomy CI's check does per file.
REFERENCE_DRIVER = r"""
import contextlib, io, json, os, pathlib, sys, time
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]
from instructlab.schema.taxonomy import TaxonomyParser
files = json.loads(sys.stdin.read())
parser = TaxonomyParser(schema_version=None, message_format="standard")
invalid = 0
start = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    for f in files:
        t = parser.parse(f)
        attr = pathlib.Path(f).resolve().with_name("attribution.txt")
        if t.version > 1 and (not attr.is_file() or attr.stat().st_size == 0):
            t.error("attribution")
        invalid += t.errors > 0
print(json.dumps({"seconds": time.perf_counter() - start, "invalid": invalid}))
"""


def example_leaves() -> list[tuple[str, str, str]]:
    """(taxonomy path, qna.yaml text, attribution text) of every example leaf."""
    leaves = []
    for qna in sorted(EXAMPLES.glob("*/**/qna.yaml")):
        rel = qna.relative_to(EXAMPLES)
        if rel.parts[0] not in ("compositional_skills", "knowledge"):
            continue
        attribution = qna.with_name("attribution.txt")
        leaves.append(
            (
                str(rel.parent),
                qna.read_text(encoding="utf-8"),
                attribution.read_text(encoding="utf-8") if attribution.is_file() else "x\n",
            )
        )
    if not leaves:
        sys.exit(f"no example leaves under {EXAMPLES}")
    return leaves


def build_taxonomy(root: Path, count: int) -> list[Path]:
    """`count` leaves, cycling through the examples; each copy's text is distinct."""
    examples = example_leaves()
    files = []
    for i in range(count):
        folder, text, attribution = examples[i % len(examples)]
        leaf_dir = root / folder / f"copy_{i:05d}"
        leaf_dir.mkdir(parents=True)
        distinct = text.replace("created_by: ", f"created_by: bench-{i:05d}-", 1)
        (leaf_dir / "qna.yaml").write_text(distinct, encoding="utf-8")
        (leaf_dir / "attribution.txt").write_text(attribution, encoding="utf-8")
        files.append(leaf_dir / "qna.yaml")
    return files


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_sdg_ci(root: Path, jobs: int | None, repeat: int) -> tuple[float, float, dict]:
    """Best wall time, the CPU seconds of that run (all its processes), and the counts."""
    cmd = [sys.executable, "-m", "sdg_ci", "-C", str(root), "validate", "--format", "json"]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    best, best_cpu, counts = float("inf"), 0.0, {}
    for _ in range(repeat):
        cpu_before = _children_cpu()
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=root)
        elapsed = time.perf_counter() - start
        cpu = _children_cpu() - cpu_before
        if proc.returncode not in (0, 1):
            sys.exit(f"sdg-ci validate failed ({proc.returncode}): {proc.stderr.strip()}")
        counts = json.loads(proc.stdout)["counts"]
        if elapsed < best:
            best, best_cpu = elapsed, cpu
    return best, best_cpu, counts


def make_reference_venv(folder: Path) -> Path:
    python = folder / "bin" / "python"
    if not python.exists():
        print(f"creating the reference virtualenv in {folder} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", REFERENCE_PACKAGE], check=True)
    return python


def find_reference(args) -> Path | None:
    if args.make_reference_venv:
        return make_reference_venv(Path(args.make_reference_venv))
    candidate = args.reference_python or os.environ.get("SDG_CI_REFERENCE_PYTHON")
    if not candidate:
        return None
    python = Path(candidate)
    probe = subprocess.run(
        [str(python), "-c", "import instructlab.schema.taxonomy"], capture_output=True
    )
    if probe.returncode != 0:
        print(f"reference python {python} cannot import instructlab.schema; not measured")
        return None
    return python


def time_reference(python: Path, files: list[Path]) -> dict:
    proc = subprocess.run(
        [str(python), "-c", REFERENCE_DRIVER],
        input=json.dumps([str(f) for f in files]),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"reference run failed: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--leaves", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of sdg-ci; the best is kept")
    ap.add_argument("--reference-python", help="python of a venv with " + REFERENCE_PACKAGE)
    ap.add_argument("--make-reference-venv", metavar="DIR", help="create that venv first")
    ap.add_argument(
        "--reference-sample",
        type=int,
        default=200,
        help="files the reference validates, spread over the taxonomy (0: all; default 200: "
        "the reference needs ~80 ms a file)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the synthetic taxonomy")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sdg-ci-bench-"))
    try:
        root = tmp / "taxonomy"
        files = build_taxonomy(root, args.leaves)
        cpus = len(os.sched_getaffinity(0))
        print(
            f"synthetic taxonomy: {len(files):,} leaves from "
            f"{len(example_leaves())} example leaves, {cpus} usable CPUs"
        )

        load = os.getloadavg()[0]
        ours, cpu, counts = time_sdg_ci(root, None, args.repeat)
        ours_1, cpu_1, _ = time_sdg_ci(root, 1, args.repeat)
        print(
            f"sdg-ci validate:          {ours:6.2f} s  {len(files) / ours:8,.0f} files/s  "
            f"({cpu:.2f} CPU s; default jobs; {counts['invalid']} invalid, "
            f"{counts['warnings']} warnings)"
        )
        print(
            f"sdg-ci validate --jobs 1: {ours_1:6.2f} s  {len(files) / ours_1:8,.0f} files/s  "
            f"({cpu_1:.2f} CPU s)"
        )
        print(
            f"load average before the runs: {load:.2f} (other work on the machine slows the "
            "wall times, not the CPU seconds)"
        )
        if counts["files"] != len(files) or counts["invalid"]:
            print("WARNING: the synthetic leaves were expected to be all valid")

        python = find_reference(args)
        if python is None:
            print(
                "reference (instructlab-schema) not measured: pass --reference-python, set "
                "SDG_CI_REFERENCE_PYTHON, or use --make-reference-venv DIR"
            )
            return 0
        sample = files
        if args.reference_sample and args.reference_sample < len(files):
            step = len(files) / args.reference_sample
            sample = [files[int(i * step)] for i in range(args.reference_sample)]
        ref = time_reference(python, sample)
        ref_rate = len(sample) / ref["seconds"]
        print(
            f"reference (instructlab-schema 0.4.2): {ref['seconds']:6.2f} s for "
            f"{len(sample):,} files  {ref_rate:8,.1f} files/s  ({ref['invalid']} invalid)"
        )
        print(
            f"speed-up: {len(files) / ours / ref_rate:,.0f}x (default jobs), "
            f"{len(files) / ours_1 / ref_rate:,.0f}x (one worker); reference for all "
            f"{len(files):,} leaves would take ~{len(files) / ref_rate:,.0f} s"
        )
        return 0
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
