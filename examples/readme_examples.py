"""Rewrite the README's example output from a real run, so it cannot drift.

Runs what `make demo` runs (`sdg-ci check --base main` on a scratch copy of the example
taxonomy, see `demo.py`) and writes its `summary.md` into the README between the markers

    <!-- example: check-summary -->  ...  <!-- /example: check-summary -->

The models are the local OpenAI-compatible test server (`tests/support/openai_server.py`:
deterministic replies, a critic that keeps every question), so the output is the same on
every machine and the run takes seconds; `--embedded` runs the embedded default model
instead (minutes on a CPU). Scratch paths are shown as `<demo>`.

    .venv/bin/python examples/readme_examples.py            # rewrite README.md
    .venv/bin/python examples/readme_examples.py --check    # exit 1 if the README differs
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
README = REPO / "README.md"
NAME = "check-summary"
BEGIN, END = f"<!-- example: {NAME} -->", f"<!-- /example: {NAME} -->"
sys.path[:0] = [str(HERE), str(REPO / "tests" / "support")]

import demo  # noqa: E402
from openai_server import FakeOpenAI  # noqa: E402


def run_example(dest: Path, embedded: bool = False) -> str:
    """The check's summary.md from a fresh scratch repo under `dest`."""
    env = demo.git_env()
    scratch, out = dest / "repo", dest / "out"
    scratch.mkdir(parents=True)
    root = demo.build_scratch_repo(scratch, env, dest / "cache")
    command = [sys.executable, "-m", "sdg_ci", "-C", str(root), "check", "--base", "main",
               "--out", str(out), "--no-comment", "--no-progress"]
    server = None if embedded else FakeOpenAI().start()
    try:
        if server is not None:
            command += ["--teacher-url", server.url, "--teacher-model", "fake-model"]
        subprocess.run(command, cwd=scratch, env=env, capture_output=True, timeout=3600)
    finally:
        if server is not None:
            server.stop()
    text = (out / "summary.md").read_text(encoding="utf-8")
    return text.replace(str(dest), "<demo>")


def block(summary: str, embedded: bool) -> str:
    models = ("the embedded default model" if embedded else
              "the local test server as teacher and critic (deterministic replies; its "
              "critic keeps every question, so the summary flags it as a weak critic)")
    return (f"{BEGIN}\n_Written by `examples/readme_examples.py` from a run of `make demo`'s "
            f"check with {models}._\n\n````markdown\n{summary.rstrip()}\n````\n{END}")


def replace_block(readme: str, new: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(readme):
        raise SystemExit(f"README.md has no {BEGIN} ... {END} block")
    return pattern.sub(lambda _: new, readme, count=1)


def shape(text: str) -> list[str]:
    """The text with its numbers and commit SHAs masked: what must match between a run and
    the README (wall times, the server's port and the scratch commits differ per run)."""
    return [re.sub(r"\d[\d,.]*", "#", re.sub(r"\b[0-9a-f]{7,40}\b", "#", line))
            for line in text.splitlines()]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedded", action="store_true", help="the embedded default model")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 when the README's block has another shape")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sdg-ci-readme-") as tmp:
        new = block(run_example(Path(tmp), args.embedded), args.embedded)
    readme = README.read_text(encoding="utf-8")
    updated = replace_block(readme, new)
    if args.check:
        same = shape(updated) == shape(readme)
        print("README example is current" if same else "README example is stale: run "
              "examples/readme_examples.py")
        return 0 if same else 1
    README.write_text(updated, encoding="utf-8")
    print(f"rewrote the {NAME} example in {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
