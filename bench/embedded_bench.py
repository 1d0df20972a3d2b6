"""Reading and writing speed of the embedded model under each setting sdg_ci chooses between.

Why: the embedded server's defaults (generate/model/embedded.py, model_file.py) rest on
three comparisons on the CPU: Q8_0 weights against the packaged Q4_1, two threads against
one, and threads that spin against threads that sleep while they wait, each on an idle
machine and with `--busy N` cores kept busy by spinning processes. Each setting starts its
own server child (as sdg_ci does), sends the same three requests (a ~900-token prompt from
the example knowledge document, 200 tokens written, prompt caching off) one at a time, and
prints llama.cpp's own prompt and decode tokens a second; the ratio is against the packaged
Q4_1 weights with the default threads, run in the same process.

Usage: python bench/embedded_bench.py [--busy 0|1|2] [--requests 3]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sdg_ci.generate.model import model_file  # noqa: E402
from sdg_ci.generate.model.embedded import model_path, usable_cores  # noqa: E402

DOC = REPO / "examples" / "knowledge-docs" / "git-object-store.md"


def spin() -> None:
    while True:
        pass


def serve(weights: Path, threads: int, wait: str) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, OMP_WAIT_POLICY=wait)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sdg_ci.generate.model.embedded_server", "--model", str(weights),
         "--parallel", "1", "--threads", str(threads)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    return proc, json.loads(proc.stdout.readline())["base_url"] + "/chat/completions"


def measure(url: str, requests: int) -> tuple[float, float]:
    """Median prompt and decode tokens a second over `requests` calls."""
    text = DOC.read_text()[:3600]
    prompt, decode = [], []
    for seed in range(requests):
        body = {"model": "x", "max_tokens": 200, "temperature": 0.7, "seed": seed,
                "ignore_eos": True, "cache_prompt": False,
                "messages": [{"role": "user", "content": f"{text}\n\nSummarize this. ({seed})"}]}
        request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as reply:
            timings = json.load(reply)["timings"]
        prompt.append(timings["prompt_per_second"])
        decode.append(timings["predicted_per_second"])
    return statistics.median(prompt), statistics.median(decode)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--busy", type=int, default=0, help="cores to keep busy meanwhile")
    parser.add_argument("--requests", type=int, default=3)
    args = parser.parse_args()

    packaged = model_path()
    reencoded, note = model_file.prepared(packaged)
    threads = min(usable_cores(), 4)
    spinners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(args.busy)]
    for proc in spinners:
        proc.start()
    print(f"{usable_cores()} usable cores, {args.busy} kept busy; {note}")
    settings = [("Q4_1 (packaged)", packaged, threads, "ACTIVE"),
                ("Q8_0", reencoded, threads, "ACTIVE"),
                ("Q8_0", reencoded, threads, "PASSIVE"),
                ("Q8_0", reencoded, 1, "ACTIVE")]
    print(f"{'weights':16} {'threads':>7} {'waiting':>8} {'prompt tok/s':>13} "
          f"{'decode tok/s':>13} {'prompt ratio':>13}")
    base = None
    try:
        for name, weights, count, wait in settings:
            server, url = serve(weights, count, wait)
            try:
                prompt, decode = measure(url, args.requests)
            finally:
                server.stdin.close()
                server.wait()
            base = base or prompt
            waiting = "spin" if wait == "ACTIVE" else "sleep"
            print(f"{name:16} {count:>7} {waiting:>8} {prompt:>13.0f} {decode:>13.1f} "
                  f"{prompt / base:>12.2f}x", flush=True)
    finally:
        for proc in spinners:
            proc.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
