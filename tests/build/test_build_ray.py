"""`sdg-ci build --ray`: a local Ray instance (2 CPUs) and the local OpenAI-compatible server
give exactly the rows of a local build, also when a worker dies in the middle of a task."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from build_helpers import LENIENT
from gitrepo import Repo
from openai_server import FakeOpenAI

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generate"))

from gen_taxonomy import KNOWLEDGE, LONG_DOC, make_config, make_taxonomy  # noqa: E402

from sdg_ci.build import build_dataset  # noqa: E402
from sdg_ci.cli import main  # noqa: E402

ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'sdg-ci[ray]')")

from sdg_ci.build import ray_exec  # noqa: E402
from sdg_ci.build.ray_exec import KILL_GROUP_ENV, KILL_ONCE_ENV, RayGenerate  # noqa: E402


@pytest.fixture(scope="module")
def local_ray():
    """One small local Ray instance for the module: 2 CPUs, a 100 MB object store."""
    ray.init(num_cpus=2, object_store_memory=100 * 1024 * 1024, include_dashboard=False,
             log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture
def bench(tmp_path, git_env):
    """Three leaves (freeform, grounded, knowledge), committed."""
    repo = Repo(tmp_path / "taxonomy")
    repo.git("init", "-q", "-b", "main")
    leaves = make_taxonomy(repo.root, seeds=5)  # valid: a build validates before generating
    repo.commit("initial")
    return repo, leaves


def lenient(config):
    """The build tests' settings (build_helpers.LENIENT): no attribution.txt beside the test
    leaves, and one pass (these tests compare executors, not top-up rounds)."""
    config.validate_.rules["Q030"] = "off"
    config.build.max_rounds = 0
    return config


def build(repo, dataset, url, cache, generate=None, **settings):
    config = lenient(make_config(url, cache, **settings))
    return build_dataset(repo.root, dataset, config=config, scale="preview",
                         progress=False, generate=generate)


def rows(dataset: Path) -> list[dict]:
    return [json.loads(x) for x in (dataset / "train.jsonl").read_text().splitlines()]


def test_ray_build_gives_the_rows_of_a_local_build(bench, tmp_path, openai_server, local_ray):
    repo, leaves = bench
    local = build(repo, tmp_path / "local", openai_server.url, tmp_path / "cache-local")
    assert local.incomplete == [] and local.pairs > 0
    calls_local = len(openai_server.requests)

    on_ray = RayGenerate()
    result = build(repo, tmp_path / "ray", openai_server.url, tmp_path / "cache-ray", on_ray)

    # its own cache: the Ray build asked the server as many questions, not replayed them
    assert len(openai_server.requests) - calls_local == calls_local
    assert result.generated == sorted(leaves) and result.incomplete == []
    assert rows(tmp_path / "ray") == rows(tmp_path / "local")
    assert (tmp_path / "ray" / "train.jsonl").read_bytes() == \
        (tmp_path / "local" / "train.jsonl").read_bytes()
    ray_manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text())
    local_manifest = json.loads((tmp_path / "local" / "manifest.json").read_text())
    assert ray_manifest["leaves"] == local_manifest["leaves"]
    summary = json.loads((tmp_path / "ray" / "summary.json").read_text())
    assert [leaf["path"] for leaf in summary["leaves"]] == sorted(leaves)
    assert summary["usage"]["requests"] == result.summary.usage.requests == calls_local
    report = on_ray.report
    assert report.tasks == 3 and report.failed == 0
    assert 1 <= len(report.workers) <= 3 and report.worker_s > 0

    # nothing changed: a second Ray build sends no task and no request
    again = build(repo, tmp_path / "ray", openai_server.url, tmp_path / "cache-ray",
                  RayGenerate())
    assert again.generated == [] and len(openai_server.requests) == 2 * calls_local


def test_a_worker_killed_mid_task_changes_no_row(bench, tmp_path, openai_server, local_ray,
                                                 monkeypatch):
    repo, _ = bench
    build(repo, tmp_path / "local", openai_server.url, tmp_path / "cache-local")
    marker = tmp_path / "killed"
    monkeypatch.setenv(KILL_ONCE_ENV, str(marker))

    result = build(repo, tmp_path / "ray", openai_server.url, tmp_path / "cache-ray",
                   RayGenerate())

    assert marker.is_file(), "a worker died with its leaf generated but not returned"
    assert result.incomplete == []
    assert rows(tmp_path / "ray") == rows(tmp_path / "local")


def test_a_task_lost_for_good_leaves_no_half_leaf(bench, tmp_path, openai_server, local_ray,
                                                  monkeypatch):
    repo, leaves = bench
    monkeypatch.setenv(KILL_ONCE_ENV, str(tmp_path / "killed"))

    result = build(repo, tmp_path / "ray", openai_server.url, tmp_path / "cache",
                   RayGenerate(max_retries=0))

    assert len(result.incomplete) == 1
    lost = result.incomplete[0]
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text())
    assert manifest["leaves"][lost]["complete"] is False and manifest["leaves"][lost]["pairs"] == 0
    assert not (tmp_path / "ray" / manifest["leaves"][lost]["data_file"]).exists()
    assert {r["metadata"]["leaf_file"] for r in rows(tmp_path / "ray")} == set(leaves) - {lost}
    summary = json.loads((tmp_path / "ray" / "summary.json").read_text())
    note = next(leaf for leaf in summary["leaves"] if leaf["path"] == lost)["notes"][0]
    assert "the Ray task failed" in note

    # the next build (the drill spent) retries only that leaf and completes the dataset
    again = build(repo, tmp_path / "ray", openai_server.url, tmp_path / "cache", RayGenerate())
    assert again.generated == [lost] and again.incomplete == []
    assert {r["metadata"]["leaf_file"] for r in rows(tmp_path / "ray")} == set(leaves)


def test_cli_ray_flag_reports_the_workers(bench, tmp_path, openai_server, local_ray, capsys):
    repo, _ = bench
    (repo.root / ".sdg-ci.yaml").write_text(json.dumps(
        {"generate": make_config(openai_server.url, tmp_path / "cache").generate.model_dump(
            mode="json", exclude_none=True), **LENIENT}))
    code = main(["-C", str(repo.root), "build", "--out", str(tmp_path / "ds"), "--scale",
                 "preview", "--no-progress", "--ray", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out
    assert out["ray"].startswith("ray (local): 3 leaf tasks on ")
    assert out["incomplete"] == [] and out["pairs"] > 0


@pytest.fixture
def big_bench(tmp_path, git_env):
    """The three leaves, the knowledge one over a long document (17 chunks), committed."""
    repo = Repo(tmp_path / "taxonomy")
    repo.git("init", "-q", "-b", "main")
    leaves = make_taxonomy(repo.root, seeds=5, doc=LONG_DOC)
    repo.commit("initial")
    return repo, leaves


SEVEN_CHUNKS = {"max_chunks": {"preview": 7, "full": 0}}  # 4 groups of 2 chunks (the last 1)


def stage_counts(dataset: Path) -> dict:
    summary = json.loads((dataset / "summary.json").read_text())
    return {leaf["path"]: sorted((s["stage"], s["rows_in"], s["rows_out"],
                                  sorted(s["dropped"].items())) for s in leaf["stages"])
            for leaf in summary["leaves"]}


def test_a_large_knowledge_leaf_is_split_into_chunk_groups(big_bench, tmp_path, openai_server,
                                                            local_ray):
    repo, leaves = big_bench
    local = build(repo, tmp_path / "local", openai_server.url, tmp_path / "cache-local",
                  **SEVEN_CHUNKS)
    assert local.incomplete == [] and local.pairs > 0
    calls_local = len(openai_server.requests)

    on_ray = RayGenerate(chunks_per_task=2)
    result = build(repo, tmp_path / "ray", openai_server.url, tmp_path / "cache-ray", on_ray,
                   **SEVEN_CHUNKS)

    report = on_ray.report
    assert (report.tasks, report.group_tasks, report.split_leaves) == (6, 3, 1)
    assert report.line().startswith("ray (local): 3 leaf tasks + 3 chunk-group tasks "
                                    "(1 leaf split) on ")
    assert result.generated == sorted(leaves) and result.incomplete == []
    assert len(openai_server.requests) - calls_local == calls_local
    assert (tmp_path / "ray" / "train.jsonl").read_bytes() == \
        (tmp_path / "local" / "train.jsonl").read_bytes()
    assert stage_counts(tmp_path / "ray") == stage_counts(tmp_path / "local")
    chunks = {r["metadata"]["chunk_id"] for r in rows(tmp_path / "ray")
              if r["metadata"]["leaf_file"] == KNOWLEDGE}
    assert len(chunks) >= 5  # rows from the chunks of every group


def test_a_worker_killed_in_a_chunk_group_task_changes_no_row(big_bench, tmp_path,
                                                              openai_server, local_ray,
                                                              monkeypatch):
    repo, _ = big_bench
    build(repo, tmp_path / "local", openai_server.url, tmp_path / "cache-local", **SEVEN_CHUNKS)
    marker = tmp_path / "killed"
    monkeypatch.setenv(KILL_ONCE_ENV, str(marker))
    monkeypatch.setenv(KILL_GROUP_ENV, "1")

    on_ray = RayGenerate(chunks_per_task=2)
    result = build(repo, tmp_path / "ray", openai_server.url, tmp_path / "cache-ray", on_ray,
                   **SEVEN_CHUNKS)

    assert " group " in marker.read_text() and int(marker.read_text().split()[-1]) >= 1
    assert result.incomplete == [] and on_ray.report.failed == 0
    assert (tmp_path / "ray" / "train.jsonl").read_bytes() == \
        (tmp_path / "local" / "train.jsonl").read_bytes()
    assert stage_counts(tmp_path / "ray") == stage_counts(tmp_path / "local")


def test_a_chunk_group_lost_for_good_leaves_no_half_leaf(big_bench, tmp_path, openai_server,
                                                         local_ray, monkeypatch):
    """Group 0 of the knowledge leaf arrived, a later group did not: the leaf is not
    recorded at all; the next build generates it whole."""
    repo, leaves = big_bench
    monkeypatch.setenv(KILL_ONCE_ENV, str(tmp_path / "killed"))
    monkeypatch.setenv(KILL_GROUP_ENV, "1")

    on_ray = RayGenerate(max_retries=0, chunks_per_task=2)
    result = build(repo, tmp_path / "ray", openai_server.url, tmp_path / "cache", on_ray,
                   **SEVEN_CHUNKS)

    assert result.incomplete == [KNOWLEDGE] and on_ray.report.failed == 1
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text())
    assert manifest["leaves"][KNOWLEDGE]["pairs"] == 0
    assert not (tmp_path / "ray" / manifest["leaves"][KNOWLEDGE]["data_file"]).exists()
    assert {r["metadata"]["leaf_file"] for r in rows(tmp_path / "ray")} == \
        set(leaves) - {KNOWLEDGE}

    monkeypatch.delenv(KILL_ONCE_ENV)
    again = build(repo, tmp_path / "ray", openai_server.url, tmp_path / "cache",
                  RayGenerate(chunks_per_task=2), **SEVEN_CHUNKS)
    assert again.generated == [KNOWLEDGE] and again.incomplete == []
    assert {r["metadata"]["leaf_file"] for r in rows(tmp_path / "ray")} == set(leaves)


def test_top_up_rounds_split_on_ray_give_the_local_rows(big_bench, tmp_path, openai_server,
                                                        local_ray):
    """A top-up round also asks about pairs of neighbouring chunks: its groups are split
    over tasks too, the report counts both rounds' tasks, and the dataset is the local
    build's."""
    repo, _ = big_bench

    def topped_up(dataset, cache, generate=None):
        config = make_config(openai_server.url, cache, **SEVEN_CHUNKS)
        config.validate_.rules["Q030"] = "off"
        config.build.max_rounds = 1
        config.build.targets = {"preview": 40, "full": 100}  # every leaf falls short
        return build_dataset(repo.root, dataset, config=config, scale="preview",
                             progress=False, generate=generate)

    local = topped_up(tmp_path / "local", tmp_path / "cache-local")
    on_ray = RayGenerate(chunks_per_task=2)
    result = topped_up(tmp_path / "ray", tmp_path / "cache-ray", on_ray)

    assert local.topup.rounds == result.topup.rounds == 1
    # first pass: 3 leaf tasks + 3 more groups; the round: 3 leaf tasks + 16 more groups
    # (the round takes in all 17 chunks, and asks about 16 pairs of neighbours: 2 a task)
    assert (on_ray.report.tasks, on_ray.report.group_tasks) == (25, 19)
    assert on_ray.report.split_leaves == 2  # the knowledge leaf, in each round
    assert (tmp_path / "ray" / "train.jsonl").read_bytes() == \
        (tmp_path / "local" / "train.jsonl").read_bytes()
    stored = {p.relative_to(tmp_path / "ray").as_posix(): p.read_bytes()
              for p in sorted((tmp_path / "ray" / "leaves").rglob("*.jsonl"))}
    assert stored == {p.relative_to(tmp_path / "local").as_posix(): p.read_bytes()
                      for p in sorted((tmp_path / "local" / "leaves").rglob("*.jsonl"))}
    knowledge = stored[f"leaves/{Path(KNOWLEDGE).parent.as_posix()}/pairs.jsonl"].decode()
    assert any("+" in (json.loads(x)["metadata"]["chunk_id"] or "")
               for x in knowledge.splitlines())  # the round's rows from pairs of chunks


def peak_in_flight(server) -> int:
    """Most requests the server held at once (each from its arrival to its reply)."""
    edges = sorted([(r.started, 1) for r in server.requests]
                   + [(r.service_end, -1) for r in server.requests])
    peak = now = 0
    for _, step in edges:
        now += step
        peak = max(peak, now)
    return peak


def test_a_servers_limit_holds_across_all_tasks(bench, tmp_path, local_ray, capsys):
    """Two tasks run at once (2 CPUs); together they never exceed the server's limit, and
    the driver's status line shows the server's requests from every worker."""
    repo, _ = bench
    with FakeOpenAI(delay_s=0.05) as server:
        config = lenient(make_config(server.url, tmp_path / "cache"))
        config.generate.teacher.max_concurrency = 2
        config.generate.progress_interval_s = 0.2
        result = build_dataset(repo.root, tmp_path / "ray", config=config, scale="preview",
                               progress=True, generate=RayGenerate())
        assert result.incomplete == [] and result.pairs > 0
        assert len(server.requests) > 20
        assert peak_in_flight(server) == 2

    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("ray: ")]
    assert len(lines) >= 2 and lines[-1].startswith("ray: 3/3 leaves done · 3/3 tasks · ")
    answered = [int(re.search(r"(\d+) answered", x).group(1)) for x in lines]
    assert answered == sorted(answered) and 0 < answered[-1] <= len(server.requests)
    assert all(" (limit " in x for x in lines), lines
    limits = {int(m) for x in lines for m in re.findall(r"\(limit (\d+)\)", x)}
    assert limits and max(limits) <= 2, lines  # the ceiling; overload may halve it


def test_an_interrupted_driver_resumes_from_the_store(bench, tmp_path, openai_server, local_ray,
                                                      monkeypatch):
    """Ctrl-C after the tasks ran, before the store was written: the store is untouched, and
    the next build makes no model call (every answer is in the cache) and the same rows."""
    repo, leaves = bench
    build(repo, tmp_path / "local", openai_server.url, tmp_path / "cache-local")
    calls = len(openai_server.requests)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ray_exec, "_write_run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(repo, tmp_path / "ray", openai_server.url, tmp_path / "cache-ray", RayGenerate())
    assert len(openai_server.requests) == 2 * calls
    assert not (tmp_path / "ray" / "manifest.json").exists()
    assert not (tmp_path / "ray" / "train.jsonl").exists()

    monkeypatch.undo()
    result = build(repo, tmp_path / "ray", openai_server.url, tmp_path / "cache-ray",
                   RayGenerate())
    assert result.generated == sorted(leaves) and result.incomplete == []
    assert len(openai_server.requests) == 2 * calls  # all replayed from the cache
    assert rows(tmp_path / "ray") == rows(tmp_path / "local")


class FakeRay:
    """Counts what RayGenerate asks of Ray's lifecycle."""

    def __init__(self, initialized: bool = False):
        self.initialized, self.inits, self.shutdowns = initialized, 0, 0

    def is_initialized(self) -> bool:
        return self.initialized

    def init(self, **kwargs) -> None:
        self.initialized, self.inits = True, self.inits + 1

    def shutdown(self) -> None:
        self.initialized, self.shutdowns = False, self.shutdowns + 1


@pytest.mark.parametrize("already", [False, True])
def test_one_ray_instance_serves_every_round_of_a_build(monkeypatch, tmp_path, already):
    """A build calls the generate function once per round (first pass, top-up rounds): Ray
    starts once, and `close` stops it only when RayGenerate started it."""
    fake = FakeRay(initialized=already)
    monkeypatch.setattr(ray_exec, "import_ray", lambda: fake)
    monkeypatch.setattr(RayGenerate, "_run", lambda self, *args: "summary")
    on_ray = RayGenerate()
    config = make_config("http://127.0.0.1:9/v1", tmp_path / "cache")
    for _ in range(3):
        assert on_ray(tmp_path, [], config, tmp_path / "out") == "summary"
    assert fake.inits == (0 if already else 1) and fake.shutdowns == 0
    on_ray.close()
    on_ray.close()
    assert fake.shutdowns == (0 if already else 1)
