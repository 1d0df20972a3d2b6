"""Benchmark `sdg-ci diff`: 5,000 leaves, a branch of 200 commits touching 50 leaves.

The time must not grow with the number of commits on the branch (git computes the
merge-base and the tree diff; nothing walks commits in Python). For contrast it also times
a per-commit walk in the style of `ilab taxonomy diff` (first parents from HEAD, one
`git branch -a --contains` per commit until a base commit is reached).

The repository is built with one `git fast-import` stream (no per-file subprocesses).

    .venv/bin/python bench/diff_bench.py [--leaves 5000] [--commits 200] [--touched 50]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}
for _name in [n for n in ENV if n.startswith("GITHUB_") or n == "CI"]:
    del ENV[_name]


def git(repo: Path, *args: str, **kw) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True,
                          text=True, **kw).stdout.strip()


def leaf_path(i: int) -> str:
    if i % 2:
        return f"knowledge/domain_{i % 37}/topic_{i // 37}/leaf_{i}/qna.yaml"
    return f"compositional_skills/area_{i % 41}/group_{i // 41}/leaf_{i}/qna.yaml"


def leaf_text(i: int, version: int) -> bytes:
    text = (
        f"version: 3\ncreated_by: bench\ntask_description: leaf {i}\n"
        "seed_examples:\n"
        + "".join(
            f"  - question: Question {k} about leaf {i} (v{version})?\n"
            f"    answer: Answer {k} for leaf {i}, version {version}.\n"
            for k in range(5)
        )
    )
    if i % 2:
        text += (f"document:\n  repo: https://example.com/docs\n  commit: c{version:06d}\n"
                 "  patterns:\n    - '*.md'\n")
    return text.encode()


class Stream:
    """A `git fast-import` stream, written in memory."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.mark = 0
        self.when = 1_700_000_000

    def commit(self, ref: str, message: str, files: dict[str, bytes | None],
               parent: str | None = None) -> int:
        self.mark += 1
        self.when += 60
        msg = message.encode()
        self.parts.append(
            f"commit {ref}\nmark :{self.mark}\n"
            f"committer bench <bench@example.com> {self.when} +0000\n"
            f"data {len(msg)}\n".encode() + msg + b"\n"
        )
        if parent:
            self.parts.append(f"from {parent}\n".encode())
        for path, data in files.items():
            if data is None:
                self.parts.append(f"D {path}\n".encode())
            else:
                self.parts.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode()
                                  + data + b"\n")
        self.parts.append(b"\n")
        return self.mark

    def bytes(self) -> bytes:
        return b"".join(self.parts)


def build_repo(repo: Path, leaves: int, commits: int, touched: int) -> dict[int, str]:
    """main: one commit with every leaf, then 10 commits of its own after the fork point;
    pr: `commits` commits cycling over `touched` leaves, three per commit (five
    added on the branch).
    Returns {commit count: tag name} for the tags made along the branch."""
    git(repo, "init", "-q", "-b", "main")
    s = Stream()
    files: dict[str, bytes | None] = {leaf_path(i): leaf_text(i, 0) for i in range(leaves)}
    for i in range(1, leaves, 2):
        files[str(Path(leaf_path(i)).with_name("attribution.txt"))] = f"Title {i}\n".encode()
    files["README.md"] = b"synthetic taxonomy\n"
    fork = s.commit("refs/heads/main", f"{leaves} leaves", files)
    # the branch: leaves 0..touched-6 modified, 5 new leaves added then edited
    targets = [leaf_path(i * 97 % leaves) for i in range(touched - 5)]
    targets += [f"compositional_skills/new/leaf_{k}/qna.yaml" for k in range(5)]
    parent = f":{fork}"
    tags = {}
    for c in range(1, commits + 1):
        # three leaves a commit: by commit 17 all of them are touched, so both
        # measuring points change the same leaves and differ only in commit count
        change = {targets[(3 * c + k) % len(targets)]: leaf_text(c, c) for k in range(3)}
        parent = f":{s.commit('refs/heads/pr', f'pr {c}', change, parent)}"
        if c in (commits // 10, commits):
            tags[c] = f"pr-{c}"
            s.parts.append(f"reset refs/tags/pr-{c}\nfrom {parent}\n\n".encode())
    main_parent = f":{fork}"
    for c in range(10):  # main moves on: these must not show in the PR's diff
        path = leaf_path((c * 13 + 1) % leaves)
        mark = s.commit("refs/heads/main", f"main {c}", {path: leaf_text(c, 999)}, main_parent)
        main_parent = f":{mark}"
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, env=ENV, check=True,
                   input=s.bytes())
    git(repo, "checkout", "-q", "-f", tags[commits])
    return tags


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def cli(repo: Path, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "sdg_ci", "-C", str(repo), "diff", "--format", "json", *args],
        env=ENV, check=True, capture_output=True, text=True,
    )
    return json.loads(done.stdout)


def reference_walk(repo: Path, base: str) -> int:
    """ilab-style: walk first parents from HEAD, `git branch -a --contains` at each commit,
    stop at the first commit the base branch contains; then diff. Returns commits walked."""
    walked = 0
    for sha in git(repo, "rev-list", "--first-parent", "HEAD").split():
        walked += 1
        branches = git(repo, "branch", "-a", "--contains", sha).split()
        if base in branches:
            break
    git(repo, "diff", "--name-only", sha)
    return walked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=5000)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--touched", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-walk", action="store_true", help="skip the per-commit walk")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sdg-ci-diff-bench-") as tmp:
        repo = Path(tmp) / "taxonomy"
        repo.mkdir()
        start = time.perf_counter()
        tags = build_repo(repo, args.leaves, args.commits, args.touched)
        print(f"repo: {args.leaves} leaves, main + 10 commits after the fork, branch of "
              f"{args.commits} commits touching {args.touched} leaves "
              f"(built in {time.perf_counter() - start:.1f} s)")
        rows = []
        for n, tag in sorted(tags.items()):
            git(repo, "checkout", "-q", "-f", tag)
            git(repo, "status", "--porcelain")  # refresh the index stat cache once
            expected = min(3 * n, args.touched)
            for label, flags in (("working tree", ["--base", "main"]),
                                 ("committed", ["--base", "main", "--committed"]),
                                 ("commits main...HEAD", ["--commits", "main...HEAD"])):
                seconds, data = timed(lambda flags=flags: cli(repo, *flags), args.repeat)
                got = len(data["leaves"])
                assert got == expected, f"{label} at {n} commits: {got} leaves, want {expected}"
                rows.append((label, n, seconds, got))
                print(f"sdg-ci diff ({label:<19}) at {n:>4} commits: {seconds:6.3f} s "
                      f"({got} leaves changed)")
            from sdg_ci.taxonomy.gitdiff import diff_taxonomy

            seconds, result = timed(
                lambda: diff_taxonomy(repo, "main", mode="committed", env={}), args.repeat
            )
            assert len(result.leaves) == expected
            rows.append(("diff_taxonomy() in process", n, seconds, expected))
            print(f"diff_taxonomy() in process        at {n:>4} commits: {seconds:6.3f} s")
            if not args.no_walk:
                seconds, walked = timed(lambda: reference_walk(repo, "main"), 1)
                print(f"per-commit walk (ilab style)      at {n:>4} commits: {seconds:6.3f} s "
                      f"({walked} commits walked)")
        by_label: dict[str, list[float]] = {}
        for label, _, seconds, _ in rows:
            by_label.setdefault(label, []).append(seconds)
        for label, times in by_label.items():
            print(f"ratio {label}: {times[-1] / times[0]:.2f}x for "
                  f"{max(tags) // min(tags)}x the commits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
