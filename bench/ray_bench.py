"""`sdg-ci build` locally vs `--ray local`, against the simulated server of generate_bench.

Both builds run in this process over the same taxonomy (generate_bench's, 20 leaves), each
against a fresh simulated server (the shared simserver.py, its own process: a batch of at
most B sequences, a cost per token) and a fresh response cache, so both make every model
call. Prints
each build's wall time (the Ray one with and without starting Ray), requests, the Ray
workers, the ratio ray/local, and whether the two train.jsonl files are byte-identical.

Needs the ray extra (pip install 'sdg-ci[ray]').
Usage: python bench/ray_bench.py [--leaves 20] [--capacity 16] [--decode-ms 2]
       [--simserver PATH]   (default: ../shared/tools/simserver.py beside the checkout)
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

import yaml

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generate_bench import REPO, load_simserver, make_bench_taxonomy  # noqa: E402

from sdg_ci.build import build_dataset  # noqa: E402
from sdg_ci.build.ray_exec import RayGenerate  # noqa: E402
from sdg_ci.config import Config  # noqa: E402

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}


def commit_taxonomy(root: Path) -> None:
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run(["git", *args], cwd=root, env=GIT_ENV, check=True)


def make_valid(root: Path) -> None:
    """generate_bench's knowledge leaves lack what a build's validation requires (generate()
    does not validate): add a document outline."""
    for path in sorted(root.glob("knowledge/**/qna.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.setdefault("document_outline", f"Tides, for {data['domain']}")
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def one_build(args, sim, root: Path, work: Path, name: str, ray: RayGenerate | None) -> dict:
    server = sim.SimProcess(work / f"sim-{name}.jsonl", [
        "--max-batch", args.capacity, "--decode-ms-per-token", args.decode_ms,
        "--prefill-ms-per-1k-prompt-tokens", args.prefill_ms * 1000, "--seed", 7])
    url = server.base_url
    try:
        # the bench leaves have no attribution.txt (Q030 off), and one pass: this compares
        # executors, not top-up rounds
        config = Config.model_validate({
            "generate": {"teacher": {"url": url, "model": "sim",
                                     "max_concurrency": 2 * args.capacity},
                         "cache_dir": str(work / f"cache-{name}")},
            "validate": {"rules": {"Q030": "off"}}, "build": {"max_rounds": 0}})
        started = time.perf_counter()
        result = build_dataset(root, work / name, config=config, scale=args.scale,
                               progress=False, generate=ray)
        wall = time.perf_counter() - started
    finally:
        server.stop()
        if ray is not None:
            ray.close()
    assert not result.incomplete and not result.invalid, (result.incomplete, result.invalid)
    assert result.pairs > 0, "the build generated nothing"
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
    parser.add_argument("--simserver", type=Path,
                        default=Path(os.environ.get("SDG_SIMSERVER", REPO.parent / "shared"
                                                    / "tools" / "simserver.py")))
    args = parser.parse_args()
    sim = load_simserver(args.simserver)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        root = work / "taxonomy"
        make_bench_taxonomy(root, args.leaves)
        make_valid(root)
        commit_taxonomy(root)
        local = one_build(args, sim, root, work, "local", None)
        on_ray = one_build(args, sim, root, work, "ray", RayGenerate("local"))
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
