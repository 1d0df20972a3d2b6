"""Generation throughput against a simulated OpenAI-compatible endpoint.

The endpoint (tests/support/openai_server.py, in its own process) serves at most B requests
at once; each takes prefill_ms * prompt tokens + decode_ms * completion tokens. A run over a
taxonomy of 20 leaves (freeform, grounded and knowledge) prints:

- wall time of `generate()`;
- endpoint busy fraction: slot-seconds used / (B x window), over the whole run and over the
  warm window (from the first moment all B slots are busy to the last reply);
- ideal time (total simulated work / B) and wall / ideal;
- client CPU per request (user + system time of this process / requests) and peak RSS.

Goals: busy >= 95 % once warm, wall / ideal <= 1.10, client CPU < 1 ms a request.
Usage: python bench/generate_bench.py [--capacity 16] [--prefill-ms 0.05] [--decode-ms 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "support"), str(REPO / "tests" / "generate")]

from gen_taxonomy import make_doc_repo, skill_seeds, write_leaf  # noqa: E402

from sdg_ci.config import Config  # noqa: E402
from sdg_ci.generate.runner import generate  # noqa: E402


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


def start_endpoint(capacity: int, prefill_ms: float, decode_ms: float):
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "support" / "openai_server.py"),
         "--capacity", str(capacity), "--prefill", str(prefill_ms / 1000),
         "--decode", str(decode_ms / 1000)],
        stdout=subprocess.PIPE, text=True)
    url = json.loads(proc.stdout.readline())["url"]
    return proc, url


def occupancy(intervals: list[tuple[float, float]], capacity: int) -> dict:
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    first, last = events[0][0], events[-1][0]
    warm_from, level = None, 0
    for t, step in events:
        level += step
        if level >= capacity and warm_from is None:
            warm_from = t
    busy = sum(e - s for s, e in intervals)
    warm_from = warm_from if warm_from is not None else first
    warm_busy = sum(max(0.0, e - max(s, warm_from)) for s, e in intervals)
    return {
        "busy_total": busy,
        "busy_fraction": busy / (capacity * (last - first)),
        "busy_fraction_warm": warm_busy / (capacity * (last - warm_from)),
        "warm_after_s": warm_from - first,
    }


def run_once(args, client: str) -> dict:
    """One generation run over a fresh simulated endpoint; returns the measured numbers."""
    proc, url = start_endpoint(args.capacity, args.prefill_ms, args.decode_ms)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "taxonomy"
            leaves = make_bench_taxonomy(root, args.leaves)
            config = Config.model_validate({"generate": {
                "teacher": {"url": url, "model": "sim", "client": client,
                            "max_concurrency": args.concurrency or 2 * args.capacity},
                "cache_dir": str(Path(tmp) / "cache")}})
            usage0 = resource.getrusage(resource.RUSAGE_SELF)
            started = time.perf_counter()
            summary = generate(root, leaves, config, Path(tmp) / "out", progress=False)
            wall = time.perf_counter() - started
            usage1 = resource.getrusage(resource.RUSAGE_SELF)
        with urllib.request.urlopen(url + "/stats") as reply:
            stats = json.load(reply)
    finally:
        proc.terminate()
        proc.wait()

    requests = summary.usage.requests
    user = usage1.ru_utime - usage0.ru_utime
    system = usage1.ru_stime - usage0.ru_stime
    cpu = user + system
    occ = occupancy([tuple(i) for i in stats["intervals"]], args.capacity)
    ideal = occ["busy_total"] / args.capacity
    return {
        "client": client, "leaves": args.leaves, "capacity": args.capacity,
        "requests": requests, "pairs_kept": summary.pairs_kept, "wall_s": round(wall, 3),
        "ideal_s": round(ideal, 3), "wall_over_ideal": round(wall / ideal, 3),
        "busy_fraction": round(occ["busy_fraction"], 4),
        "busy_fraction_warm": round(occ["busy_fraction_warm"], 4),
        "warm_after_s": round(occ["warm_after_s"], 3),
        "client_cpu_ms_per_request": round(1000 * cpu / max(requests, 1), 3),
        "client_user_ms_per_request": round(1000 * user / max(requests, 1), 3),
        "client_system_ms_per_request": round(1000 * system / max(requests, 1), 3),
        # ru_maxrss is the process's peak so far: later runs include earlier ones
        "peak_rss_mb": round(usage1.ru_maxrss / 1024, 1),
    }


def report(args, r: dict) -> None:
    print(f"generate bench: {args.leaves} leaves, B={args.capacity}, prefill "
          f"{args.prefill_ms} ms/token, decode {args.decode_ms} ms/token, client "
          f"{r['client']}, max_concurrency {args.concurrency or 2 * args.capacity}")
    print(f"  requests            {r['requests']} ({r['pairs_kept']} pairs kept)")
    print(f"  wall time           {r['wall_s']:.2f} s")
    print(f"  ideal time          {r['ideal_s']:.2f} s  (simulated work / B)")
    print(f"  wall / ideal        {r['wall_over_ideal']:.3f}  (goal <= 1.10)")
    print(f"  endpoint busy       {r['busy_fraction']:.1%} overall, "
          f"{r['busy_fraction_warm']:.1%} once warm (goal >= 95%; warm after "
          f"{r['warm_after_s']:.2f} s)")
    print(f"  client CPU          {r['client_cpu_ms_per_request']:.3f} ms per request "
          f"(user {r['client_user_ms_per_request']:.3f} + system "
          f"{r['client_system_ms_per_request']:.3f}; goal < 1 ms)")
    print(f"  peak RSS            {r['peak_rss_mb']:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=20)
    parser.add_argument("--capacity", type=int, default=16, help="B: requests served at once")
    parser.add_argument("--prefill-ms", type=float, default=0.05, help="per prompt token")
    parser.add_argument("--decode-ms", type=float, default=2.0, help="per completion token")
    parser.add_argument("--concurrency", type=int, default=0,
                        help="client max_concurrency (default: 2 x B)")
    parser.add_argument("--client", choices=("both", "openai", "fast"), default="both",
                        help="how requests travel (generate.teacher.client); both: the "
                        "openai default, then the lean client, in this process")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    clients = ("openai", "fast") if args.client == "both" else (args.client,)
    results = [run_once(args, client) for client in clients]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        report(args, r)
    if len(results) == 2:
        a, b = results
        print(f"lean/openai client CPU per request: "
              f"{b['client_cpu_ms_per_request'] / max(a['client_cpu_ms_per_request'], 1e-9):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
