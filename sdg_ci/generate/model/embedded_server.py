"""Child process: serve a GGUF model with llama.cpp's server (xllamacpp) on 127.0.0.1.

Prints one JSON line `{"base_url": ...}` on stdout once ready, then serves until its stdin
closes (the parent exited or asked it to stop). Its own log goes to stderr (a file).
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--slot-context", type=int, default=4096)
    args = parser.parse_args(argv)

    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.n_parallel = args.parallel
    params.n_ctx = args.slot_context * args.parallel
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.hostnames = ["127.0.0.1"]
    params.port = 0
    params.warmup = False
    server = xllamacpp.Server(params)
    print(json.dumps({"base_url": server.listening_address.rstrip("/") + "/v1"}), flush=True)
    sys.stdin.read()  # returns at EOF: the parent is gone or wants us to stop
    del server
    return 0


if __name__ == "__main__":
    sys.exit(main())
