"""`sdg-ci build` locally vs `--ray local`, against the simulated endpoint of generate_bench.

Both builds run in this process over the same taxonomy (generate_bench's, 20 leaves), each
against a fresh simulated server (tests/support/openai_server.py: at most B requests at
once, a cost per token) and a fresh response cache, so both make every model call. Prints
each build's wall time (the Ray one with and without starting Ray), requests, the Ray
workers, the ratio ray/local, and whether the two train.jsonl files are byte-identical.

Needs the ray extra (pip install 'sdg-ci[ray]').
Usage: python bench/ray_bench.py [--leaves 20] [--capacity 16] [--decode-ms 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generate_bench import REPO, make_bench_taxonomy, start_endpoint  # noqa: E402

from sdg_ci.build import build_dataset  # noqa: E402
from sdg_ci.build.ray_exec import RayGenerate  # noqa: E402
from sdg_ci.config import Config  # noqa: E402

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}


def commit_taxonomy(root: Path) -> None:
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run(["git", *args], cwd=root, env=GIT_ENV, check=True)


def one_build(args, root: Path, work: Path, name: str, ray: RayGenerate | None) -> dict:
    proc, url = start_endpoint(args.capacity, args.prefill_ms, args.decode_ms)
    try:
        config = Config.model_validate({"generate": {
            "teacher": {"url": url, "model": "sim", "max_concurrency": 2 * args.capacity},
            "cache_dir": str(work / f"cache-{name}")}})
        started = time.perf_counter()
        result = build_dataset(root, work / name, config=config, scale=args.scale,
                               progress=False, generate=ray)
        wall = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait()
    assert not result.incomplete, result.incomplete
    numbers = {"wall_s": round(wall, 2), "pairs": result.pairs,
               "requests": result.summary.usage.requests if result.summary else 0}
    if ray is not None:
        numbers.update(tasks_s=round(ray.report.wall_s, 2), line=ray.report.line())
    return numbers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=20)
    parser.add_argument("--capacity", type=int, default=16, help="B: requests served at once")
    parser.add_argument("--prefill-ms", type=float, default=0.05, help="per prompt token")
    parser.add_argument("--decode-ms", type=float, default=2.0, help="per completion token")
    parser.add_argument("--scale", choices=("preview", "full"), default="full")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        root = work / "taxonomy"
        make_bench_taxonomy(root, args.leaves)
        commit_taxonomy(root)
        local = one_build(args, root, work, "local", None)
        on_ray = one_build(args, root, work, "ray", RayGenerate("local"))
        same = (work / "local" / "train.jsonl").read_bytes() == \
            (work / "ray" / "train.jsonl").read_bytes()
    print(f"ray bench: {args.leaves} leaves, {args.scale} scale, B={args.capacity}, decode "
          f"{args.decode_ms} ms/token, {os.cpu_count()} CPUs ({REPO.name})")
    print(f"  local build        {local['wall_s']:.2f} s  ({local['requests']} requests, "
          f"{local['pairs']} pairs)")
    print(f"  --ray local        {on_ray['wall_s']:.2f} s  ({on_ray['requests']} requests, "
          f"{on_ray['pairs']} pairs; tasks {on_ray['tasks_s']:.2f} s after Ray started)")
    print(f"  {on_ray['line']}")
    print(f"  ray / local        {on_ray['wall_s'] / local['wall_s']:.2f} "
          f"(tasks only: {on_ray['tasks_s'] / local['wall_s']:.2f})")
    print(f"  train.jsonl        {'identical' if same else 'DIFFERENT'}")
    print(json.dumps({"local": local, "ray": on_ray, "identical": same}))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
