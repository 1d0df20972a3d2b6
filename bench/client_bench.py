"""Client CPU per request of each sender (openai, aiohttp, the lean HTTP/1.1 `fast`).

Why: on a 2-core runner the client must never be what keeps a big batching server waiting;
a 256-slot server answering ~200-500 requests a second needs the client well under 2 ms of
CPU a request. Each sender posts the same chat-completions bodies (a ~1.5 KB prompt) to the
test server (tests/support/openai_server.py, its own process, instant replies), `--requests`
of them `--concurrency` at a time; this process's user + system CPU is divided by the count.
Usage: python bench/client_bench.py [--requests 3000] [--concurrency 64] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sdg_ci.generate.model.senders import make_sender  # noqa: E402

KINDS = ("openai", "aiohttp", "fast")


def body(i: int) -> dict:
    prompt = f"Request {i}. " + "Write three questions about the passage below. " * 30
    return {"model": "fake-model", "max_tokens": 256, "temperature": 0.7, "seed": i,
            "messages": [{"role": "system", "content": "You are a careful teacher."},
                         {"role": "user", "content": prompt}]}


async def drive(kind: str, url: str, requests: int, concurrency: int) -> tuple[float, float]:
    sender = make_sender(kind, url, None, 60.0)
    queue = iter(range(requests))

    async def worker() -> None:
        for i in queue:
            await sender.send(body(i), "questions")

    await sender.send(body(-1), "questions")  # warm: connections, imports
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    await sender.close()
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return 1000 * cpu / requests, requests / wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2, help="the best of this many")
    args = parser.parse_args()
    proc = subprocess.Popen([sys.executable, str(REPO / "tests/support/openai_server.py")],
                            stdout=subprocess.PIPE, text=True)
    try:
        url = json.loads(proc.stdout.readline())["url"]
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.rounds):
            for kind in KINDS:
                ms, rate = asyncio.run(drive(kind, url, args.requests, args.concurrency))
                if kind not in best or ms < best[kind][0]:
                    best[kind] = (ms, rate)
    finally:
        proc.terminate()
        proc.wait()
    print(f"client bench: {args.requests} requests, {args.concurrency} at a time, best of "
          f"{args.rounds}")
    for kind in KINDS:
        ms, rate = best[kind]
        print(f"  {kind:8s} {ms:6.3f} ms CPU per request   {rate:7.0f} requests/s "
              f"(server-bound: the test server shares the cores)")
    base = best["openai"][0]
    print("  ratio to openai: " + ", ".join(f"{k} {best[k][0] / base:.2f}" for k in KINDS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
