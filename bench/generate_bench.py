"""Generation at the DEFAULT settings against simulated batching servers of 4, 32 and 256 slots.

The server is the shared simulator (`simserver.py`, its own process): a vLLM-like batch of B
slots with a FIFO queue behind it; each sequence costs prefill + decode x output tokens.
Each scenario runs `generate()` with no concurrency or client setting (the product's
defaults), then once more with the old fixed limit of 8 (`max_concurrency: 8`) as the
baseline, in this process, and prints for each:

- wall / ideal, where ideal = max(total work / B, longest dependency chain) (simserver's
  `log_figures`), and the slots' use (work / (wall x B));
- the client's CPU per request (user + system time of this process / requests);
- request errors and rows lost to timeouts (both must be 0).

Goals (issue 13): 32 slots, 3 leaves, full: wall/ideal <= 1.10; 256 slots, 12 leaves, full:
<= 1.15; 4 slots, 3 leaves, preview: <= 1.15.
Usage: python bench/generate_bench.py [--only 32] [--decode-ms 4] [--no-baseline] [--baseline-256]
       [--simserver PATH]   (default: ../shared/tools/simserver.py beside the checkout)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "support"), str(REPO / "tests" / "generate")]

from gen_taxonomy import make_doc_repo, skill_seeds, write_leaf  # noqa: E402

from sdg_ci.config import Config  # noqa: E402
from sdg_ci.generate.runner import generate  # noqa: E402

SCENARIOS = [  # (slots, leaves, scale, goal for wall / ideal, decode ms per token, baseline)
    (4, 3, "preview", 1.15, 4.0, True),
    (32, 3, "full", 1.10, 4.0, True),
    # at 256 slots the fixed limit of 8 would run for a quarter of an hour: --baseline-256
    (256, 12, "full", 1.15, 20.0, False),
]


def make_bench_taxonomy(root: Path, leaves: int) -> list[str]:
    """Mostly freeform skills, some grounded, two knowledge leaves (5 seeds each)."""
    repo, commit = make_doc_repo(root.parent / "docs")
    files = []
    for i in range(leaves):
        kind = "knowledge" if i % 10 == 9 else "grounded" if i % 5 == 4 else "freeform"
        if kind == "knowledge":
            rel = f"knowledge/bench/topic{i}/qna.yaml"
            data = {"version": 3, "domain": f"topic {i}", "created_by": "bench",
                    "seed_examples": [{"context": f"Context {s}.", "questions_and_answers": [
                        {"question": f"Leaf {i} seed {s} question {k}?", "answer": "Yes."}
                        for k in range(3)]} for s in range(5)],
                    "document": {"repo": repo, "commit": commit, "patterns": ["*.md"]}}
        else:
            rel = f"compositional_skills/bench/skill{i}/qna.yaml"
            seeds = skill_seeds(5, grounded=kind == "grounded")
            for seed in seeds:
                seed["question"] = f"Leaf {i}: " + seed["question"]
            data = {"version": 3, "created_by": "bench", "seed_examples": seeds,
                    "task_description": f"Bench task number {i}."}
        write_leaf(root, rel, data)
        files.append(rel)
    return files


def load_simserver(path: Path):
    spec = importlib.util.spec_from_file_location("simserver", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise SystemExit(f"simserver not found at {path}: pass --simserver PATH")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_once(sim, decode_ms: float, slots: int, leaves: int, scale: str, teacher: dict) -> dict:
    """One generation run over a fresh simulated server; the measured numbers."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "sim.jsonl"
        server = sim.SimProcess(log, ["--max-batch", slots, "--decode-ms-per-token",
                                      decode_ms, "--seed", 7])
        try:
            root = Path(tmp) / "taxonomy"
            files = make_bench_taxonomy(root, leaves)
            config = Config.model_validate({"generate": {
                "teacher": {"url": server.base_url, "model": "sim", **teacher},
                "scale": scale, "cache_dir": str(Path(tmp) / "cache")}})
            usage0 = resource.getrusage(resource.RUSAGE_SELF)
            started = time.perf_counter()
            summary = generate(root, files, config, Path(tmp) / "out", progress=False)
            wall = time.perf_counter() - started
            usage1 = resource.getrusage(resource.RUSAGE_SELF)
        finally:
            server.stop()
        reqs, _ = sim.read_log(log)
        figures = sim.log_figures(reqs, slots)
    requests = summary.usage.requests
    cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    errors = sum(leaf.errors for leaf in summary.leaves)
    return {
        "slots": slots, "leaves": leaves, "scale": scale, "teacher": teacher,
        "requests": requests, "pairs_kept": summary.pairs_kept,
        "generate_wall_s": round(wall, 3), **figures,
        "client_cpu_ms_per_request": round(1000 * cpu / max(requests, 1), 3),
        "row_errors": errors,
    }


def report(r: dict, goal: float | None) -> None:
    setting = ", ".join(f"{k} {v}" for k, v in r["teacher"].items()) or "defaults"
    ratio = r.get("wall_over_ideal") or 0.0
    mark = "" if goal is None else f"  (goal <= {goal:.2f}: {'met' if ratio <= goal else 'MISSED'})"
    print(f"  {setting:<20} requests {r['requests']:5d}  wall {r['wall_s']:7.2f} s  "
          f"ideal {r['ideal_s']:7.2f} s  wall/ideal {ratio:5.2f}{mark}")
    print(f"  {'':<20} slots used {r.get('slot_utilisation', 0):.1%}, busy "
          f"{r.get('busy_fraction', 0):.1%}, most in flight {r.get('max_inflight_requests')}, "
          f"client CPU {r['client_cpu_ms_per_request']:.2f} ms/request, statuses "
          f"{r.get('by_status')}, rows failed {r['row_errors']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, action="append", choices=[s[0] for s in SCENARIOS],
                        help="run only the scenario with this many slots (repeatable)")
    parser.add_argument("--decode-ms", type=float, default=None,
                        help="per output token (default: 4 for 4 and 32 slots, 20 for 256)")
    parser.add_argument("--baseline-256", action="store_true",
                        help="also run the fixed limit of 8 against 256 slots (slow)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the max_concurrency: 8 baseline runs")
    parser.add_argument("--simserver", type=Path,
                        default=Path(os.environ.get("SDG_SIMSERVER", REPO.parent / "shared"
                                                    / "tools" / "simserver.py")))
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    sim = load_simserver(args.simserver)
    results = []
    print(f"generate bench: simserver, {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f} at the start")
    for slots, leaves, scale, goal, decode_ms, baseline in SCENARIOS:
        if args.only and slots not in args.only:
            continue
        decode_ms = args.decode_ms or decode_ms
        print(f"{slots} slots, {leaves} leaves, {scale}, decode {decode_ms} ms/token:")
        default = run_once(sim, decode_ms, slots, leaves, scale, {})
        report(default, goal)
        results.append(default)
        if not args.no_baseline and (baseline or args.baseline_256):
            base = run_once(sim, decode_ms, slots, leaves, scale, {"max_concurrency": 8})
            report(base, None)
            results.append(base)
            print(f"  defaults / fixed 8 wall: {default['wall_s'] / base['wall_s']:.2f}")
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
