"""The build with the real generation engine against the local OpenAI-compatible server:
unchanged leaves cost zero model requests."""

from __future__ import annotations

import json

import yaml
from gitrepo import Repo

from sdg_ci.build import build_dataset
from sdg_ci.config import Config

HAIKU = "compositional_skills/writing/haiku/qna.yaml"
LIMERICK = "compositional_skills/writing/limerick/qna.yaml"


def leaf(topic: str, n: int = 5) -> str:
    return yaml.safe_dump({
        "version": 3, "created_by": "tester",
        "task_description": f"Write a {topic} about the subject given.",
        "seed_examples": [
            {"question": f"Write a {topic} about season number {i}.",
             "answer": f"Line one of {topic} {i}\nline two is longer here\nline three ends"}
            for i in range(n)
        ],
    }, sort_keys=False)


def config(url: str, cache) -> Config:
    return Config.model_validate({"validate": {"rules": {"Q030": "off"}},
                                  "build": {"max_rounds": 0}, "generate": {
        "teacher": {"url": url, "model": "fake-model", "timeout_s": 5.0},
        "cache_dir": str(cache),
        "questions_per_seed": {"preview": 2, "full": 3},
    }})


def test_incremental_build_with_the_engine(tmp_path, openai_server):
    repo = Repo(tmp_path / "taxonomy")
    repo.git("init", "-q", "-b", "main")
    repo.write(HAIKU, leaf("haiku"))
    repo.write(LIMERICK, leaf("limerick"))
    first = repo.commit("initial")
    dataset = tmp_path / "dataset"
    cfg = config(openai_server.url, tmp_path / "cache")

    result = build_dataset(repo.root, dataset, config=cfg, progress=False)
    assert result.generated == [HAIKU, LIMERICK] and result.incomplete == []
    requests_first = len(openai_server.requests)
    assert requests_first > 0
    manifest = json.loads((dataset / "manifest.json").read_text())
    assert manifest["scale"] == "full"
    train = [json.loads(x) for x in (dataset / "train.jsonl").read_text().splitlines()]
    assert len(train) == result.pairs == sum(e["pairs"] for e in manifest["leaves"].values())
    assert {r["metadata"]["leaf_file"] for r in train} == {HAIKU, LIMERICK}

    # one leaf changes: only it goes to the engine
    repo.write(HAIKU, leaf("haiku", n=6))
    second = repo.commit("more haiku seeds")
    result = build_dataset(repo.root, dataset, config=cfg, progress=False,
                           commits=f"{first}..{second}")
    assert result.generated == [HAIKU] and result.unchanged == [LIMERICK]
    new_requests = openai_server.requests[requests_first:]
    assert new_requests, "the changed leaf was generated"
    assert all("limerick" not in json.dumps(r.body) for r in new_requests)
    train = [json.loads(x) for x in (dataset / "train.jsonl").read_text().splitlines()]
    assert {r["metadata"]["leaf_file"] for r in train} == {HAIKU, LIMERICK}

    # nothing changes: no request at all
    count = len(openai_server.requests)
    result = build_dataset(repo.root, dataset, config=cfg, progress=False)
    assert result.generated == [] and len(openai_server.requests) == count
