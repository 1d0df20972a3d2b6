"""Incremental dataset builds against real git repositories and a stand-in engine."""

from __future__ import annotations

import hashlib
import json

import pytest
from build_helpers import FakeGenerate, knowledge, lenient_config, skill
from gitrepo import Repo

from sdg_ci.build import build_dataset, leaf_fingerprint
from sdg_ci.errors import SdgCiError

POEMS = "compositional_skills/writing/poems/qna.yaml"
PROSE = "compositional_skills/writing/prose/qna.yaml"
MATH = "compositional_skills/math/qna.yaml"
PHYSICS = "knowledge/science/physics/qna.yaml"
ALL = sorted([POEMS, PROSE, MATH, PHYSICS])


def manifest(dataset):
    return json.loads((dataset / "manifest.json").read_text())


def train(dataset) -> list[dict]:
    return [json.loads(line) for line in (dataset / "train.jsonl").read_text().splitlines()]


def train_users(dataset) -> list[str]:
    return [r["messages"][0]["content"] for r in train(dataset)]


def build(taxonomy, dataset, gen, **kw):
    kw.setdefault("config", lenient_config())
    return build_dataset(taxonomy.root, dataset, generate=gen, progress=False, **kw)


def test_first_build_generates_every_leaf(taxonomy, tmp_path):
    gen = FakeGenerate()
    dataset = tmp_path / "dataset"
    result = build(taxonomy, dataset, gen)

    assert gen.generated == ALL
    assert gen.calls[0]["scale"] == "full"
    assert set(gen.calls[0]["statuses"].values()) == {"added"}
    head = taxonomy.git("rev-parse", "HEAD")
    m = manifest(dataset)
    assert m["commit"] == head and result.commit == head
    assert sorted(m["leaves"]) == ALL
    entry = m["leaves"][PHYSICS]
    assert entry == {
        **leaf_fingerprint(taxonomy.root, PHYSICS),
        "kind": "knowledge",
        "data_file": "leaves/knowledge/science/physics/pairs.jsonl",
        "pairs": 1,
        "data_sha256": hashlib.sha256(
            (dataset / "leaves/knowledge/science/physics/pairs.jsonl").read_bytes()
        ).hexdigest(),
        "complete": True,
        "commit": head,
        "generated": 0,
        "rounds": 0,
        "short_reason": "top-up is off (build.max_rounds = 0); more or longer documents "
                        "(or more seed examples) would help",
    }
    assert entry["document"] == {"repo": "https://example.com/docs", "commit": "abc123",
                                 "patterns": ["*.md"]}
    assert entry["attribution_sha256"] is not None
    # train.jsonl: every leaf's pairs, in leaf path order
    assert train_users(dataset) == [
        "Add 2 and 2? (generated)", "Add 3 and 4? (generated)",
        "Write a poem? (generated)", "A haiku? (generated)",
        "Write prose? (generated)",
        "What is mass? (generated)",
    ]
    assert m["pairs"] == result.pairs == 6
    assert (dataset / "summary.json").is_file()
    assert (dataset / "last_run" / "summary.json").is_file()


def test_incremental_build_regenerates_only_changed_leaves(taxonomy, tmp_path):
    dataset = tmp_path / "dataset"
    build(taxonomy, dataset, FakeGenerate())
    before = taxonomy.git("rev-parse", "HEAD")
    taxonomy.write(POEMS, skill("Write a sonnet?"))                       # modified
    # added (long enough that git does not pair it with the deleted prose leaf)
    taxonomy.write("compositional_skills/games/qna.yaml",
                   skill("Chess?", "Checkers?", "Go, the board game with stones?"))
    taxonomy.remove(PROSE)                                                # deleted
    taxonomy.move(MATH, "compositional_skills/arithmetic/qna.yaml")       # renamed as is
    taxonomy.write("knowledge/science/physics/attribution.txt", "Title: physics 2e\n")
    after = taxonomy.commit("merge a pull request")

    gen = FakeGenerate()
    result = build(taxonomy, dataset, gen, commits=f"{before}..{after}")

    assert gen.generated == ["compositional_skills/games/qna.yaml", POEMS, PHYSICS]
    assert gen.calls[0]["statuses"] == {
        "compositional_skills/games/qna.yaml": "added", POEMS: "modified", PHYSICS: "modified",
    }
    assert result.moved == {"compositional_skills/arithmetic/qna.yaml": MATH}
    assert result.removed == [PROSE]
    assert result.unchanged == []
    m = manifest(dataset)
    assert sorted(m["leaves"]) == sorted([
        "compositional_skills/arithmetic/qna.yaml", "compositional_skills/games/qna.yaml",
        POEMS, PHYSICS,
    ])
    assert m["commit"] == after
    assert not (dataset / "leaves/compositional_skills/writing/prose").exists()
    assert not (dataset / "leaves/compositional_skills/math").exists()
    # moved data keeps its pairs and now names the new leaf
    moved = [r for r in train(dataset) if r["messages"][0]["content"].startswith("Add")]
    assert [r["metadata"] for r in moved] == [
        {"leaf": "compositional_skills/arithmetic", "leaf_file":
         "compositional_skills/arithmetic/qna.yaml"},
    ] * 2
    assert train_users(dataset) == [
        "Add 2 and 2? (generated)", "Add 3 and 4? (generated)",
        "Chess? (generated)", "Checkers? (generated)",
        "Go, the board game with stones? (generated)",
        "Write a sonnet? (generated)",
        "What is mass? (generated)",
    ]


def test_nothing_changed_means_no_generation_call(taxonomy, tmp_path):
    dataset = tmp_path / "dataset"
    build(taxonomy, dataset, FakeGenerate())
    first_train = (dataset / "train.jsonl").read_bytes()
    taxonomy.write("README.md", "docs only\n")
    taxonomy.commit("docs")
    gen = FakeGenerate()
    result = build(taxonomy, dataset, gen)  # default: since the manifest's commit
    assert gen.calls == []
    assert result.generated == [] and sorted(result.unchanged) == ALL
    assert (dataset / "train.jsonl").read_bytes() == first_train


def test_default_range_is_since_the_manifests_commit(taxonomy, tmp_path):
    dataset = tmp_path / "dataset"
    build(taxonomy, dataset, FakeGenerate())
    taxonomy.write(PROSE, skill("Write an essay?"))
    taxonomy.commit("one")
    taxonomy.write(MATH, skill("Multiply?"))
    taxonomy.commit("two")
    gen = FakeGenerate()
    result = build(taxonomy, dataset, gen)
    assert gen.generated == [MATH, PROSE]
    assert result.diff.mode == "commits" and [c.path for c in result.diff.leaves] == [MATH, PROSE]


def test_skipped_push_is_caught_up_by_content_hash(taxonomy, tmp_path):
    dataset = tmp_path / "dataset"
    build(taxonomy, dataset, FakeGenerate())
    taxonomy.write(PROSE, skill("Missed by a failed build?"))
    middle = taxonomy.commit("push whose build never ran")
    taxonomy.write(POEMS, skill("Next push?"))
    after = taxonomy.commit("next push")
    gen = FakeGenerate()
    result = build(taxonomy, dataset, gen, commits=f"{middle}..{after}")
    assert gen.generated == [POEMS, PROSE]
    assert gen.calls[0]["statuses"] == {POEMS: "modified", PROSE: "modified"}
    assert any("out of date in the manifest" in note for note in result.notes)


def test_rename_with_edit_is_regenerated(taxonomy, tmp_path):
    dataset = tmp_path / "dataset"
    build(taxonomy, dataset, FakeGenerate())
    before = taxonomy.git("rev-parse", "HEAD")
    taxonomy.move(PHYSICS, "knowledge/science/mechanics/qna.yaml")
    taxonomy.move("knowledge/science/physics/attribution.txt",
                  "knowledge/science/mechanics/attribution.txt")
    taxonomy.write("knowledge/science/mechanics/qna.yaml", knowledge("def456", "What is mass?"))
    after = taxonomy.commit()
    gen = FakeGenerate()
    result = build(taxonomy, dataset, gen, commits=f"{before}..{after}")
    assert gen.generated == ["knowledge/science/mechanics/qna.yaml"]
    assert gen.calls[0]["statuses"] == {"knowledge/science/mechanics/qna.yaml": "renamed"}
    assert result.removed == [PHYSICS] and result.moved == {}
    assert manifest(dataset)["leaves"]["knowledge/science/mechanics/qna.yaml"]["document"][
        "commit"] == "def456"


def test_failed_leaf_is_incomplete_and_retried(taxonomy, tmp_path):
    dataset = tmp_path / "dataset"
    result = build(taxonomy, dataset, FakeGenerate(fail=(POEMS,)))
    assert result.incomplete == [POEMS]
    entry = manifest(dataset)["leaves"][POEMS]
    assert (entry["complete"], entry["pairs"]) == (False, 0)
    gen = FakeGenerate()
    result = build(taxonomy, dataset, gen)  # nothing changed in git, the leaf is retried
    assert gen.generated == [POEMS] and result.incomplete == []
    assert manifest(dataset)["leaves"][POEMS]["complete"] is True


def test_generation_failure_leaves_the_store_untouched(taxonomy, tmp_path):
    dataset = tmp_path / "dataset"
    build(taxonomy, dataset, FakeGenerate())
    before_manifest = (dataset / "manifest.json").read_bytes()
    before_train = (dataset / "train.jsonl").read_bytes()
    taxonomy.write(POEMS, skill("Changed?"))
    taxonomy.remove(PROSE)
    taxonomy.commit()
    with pytest.raises(RuntimeError, match="teacher exploded"):
        build(taxonomy, dataset, FakeGenerate(raise_on=True))
    assert (dataset / "manifest.json").read_bytes() == before_manifest
    assert (dataset / "train.jsonl").read_bytes() == before_train
    assert (dataset / "leaves/compositional_skills/writing/prose/pairs.jsonl").is_file()


def test_full_regenerates_everything(taxonomy, tmp_path):
    dataset = tmp_path / "dataset"
    build(taxonomy, dataset, FakeGenerate())
    gen = FakeGenerate()
    build(taxonomy, dataset, gen, full=True)
    assert gen.generated == ALL


def test_settings_change_is_noted(taxonomy, tmp_path):

    dataset = tmp_path / "dataset"
    build(taxonomy, dataset, FakeGenerate())
    config = lenient_config()
    config.generate.min_pair_rating = 3
    result = build(taxonomy, dataset, FakeGenerate(), config=config)
    assert any("pass --full" in note for note in result.notes)


def test_range_must_end_at_the_checked_out_commit(taxonomy, tmp_path):
    first = taxonomy.git("rev-parse", "HEAD")
    taxonomy.write(POEMS, skill("x?"))
    second = taxonomy.commit()
    taxonomy.git("checkout", "-q", first)
    with pytest.raises(SdgCiError, match="check out that commit first"):
        build(taxonomy, tmp_path / "dataset", FakeGenerate(), commits=f"{first}..{second}")


def test_nested_leaves_keep_each_others_data(taxonomy, tmp_path):
    """knowledge/science/qna.yaml's data folder is the parent of physics' one."""
    dataset = tmp_path / "dataset"
    taxonomy.write("knowledge/science/qna.yaml", knowledge("s1", "What is science?"))
    taxonomy.commit()
    build(taxonomy, dataset, FakeGenerate())
    taxonomy.remove("knowledge/science/qna.yaml")
    taxonomy.commit()
    build(taxonomy, dataset, FakeGenerate())
    assert (dataset / "leaves/knowledge/science/physics/pairs.jsonl").is_file()
    assert not (dataset / "leaves/knowledge/science/pairs.jsonl").exists()
    taxonomy.remove(PHYSICS)
    taxonomy.commit()
    build(taxonomy, dataset, FakeGenerate())
    assert not (dataset / "leaves/knowledge").exists()


def test_taxonomy_in_a_subfolder_and_misnamed_files_skipped(tmp_path):
    repo = Repo(tmp_path / "repo", "taxonomy")
    repo.git("init", "-q", "-b", "main")
    repo.write(POEMS, skill("Poem?"))
    repo.write("knowledge/x/qna.yml", knowledge())
    repo.commit()
    gen = FakeGenerate()
    result = build_dataset(repo.root, tmp_path / "ds", generate=gen, progress=False,
                           config=lenient_config())
    assert gen.generated == [POEMS] and result.leaves == 1


def test_outside_git_builds_from_the_files(tmp_path):
    repo = Repo(tmp_path / "plain")
    repo.write(POEMS, skill("Poem?"))
    gen = FakeGenerate()
    result = build_dataset(repo.root, tmp_path / "ds", generate=gen, progress=False,
                           config=lenient_config())
    assert gen.generated == [POEMS] and result.commit is None
    gen = FakeGenerate()
    build_dataset(repo.root, tmp_path / "ds", generate=gen, progress=False,
                           config=lenient_config())
    assert gen.calls == []


def test_broken_manifest_is_an_error_that_says_what_to_do(taxonomy, tmp_path):
    dataset = tmp_path / "dataset"
    dataset.mkdir()
    (dataset / "manifest.json").write_text("{not json")
    with pytest.raises(SdgCiError, match="fix or delete it"):
        build(taxonomy, dataset, FakeGenerate())


@pytest.mark.parametrize("damage", ["truncate", "drop_line", "edit"])
def test_damaged_leaf_data_is_noticed_and_repaired(taxonomy, tmp_path, damage):
    """A crash or a hand edit between builds: the next build checks each reused leaf's
    data against the manifest (count and sha256) and regenerates what does not match."""
    dataset = tmp_path / "dataset"
    build(taxonomy, dataset, FakeGenerate())
    before = (dataset / "train.jsonl").read_text()
    pairs = dataset / manifest(dataset)["leaves"][MATH]["data_file"]
    text = pairs.read_text()
    if damage == "truncate":
        pairs.write_text(text[: len(text) // 2])
    elif damage == "drop_line":
        pairs.write_text("".join(text.splitlines(keepends=True)[:-1]))
    else:
        pairs.write_text(text.replace("?", "!", 1))
    gen = FakeGenerate()
    result = build(taxonomy, dataset, gen)
    assert gen.generated == [MATH]
    assert any(MATH in note and "does not match the manifest" in note for note in result.notes)
    assert (dataset / "train.jsonl").read_text() == before
    assert pairs.read_text() == text
    assert [p for p in dataset.rglob("*.tmp")] == []
    again = FakeGenerate()
    assert build(taxonomy, dataset, again).notes == [] and again.generated == []


def test_store_writes_never_leave_a_half_file(tmp_path, monkeypatch):
    from sdg_ci.build import store

    target = tmp_path / "leaves" / "pairs.jsonl"
    store.write_atomic(target, lambda out: out.write("old\n"))

    def crash(out):
        out.write("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        store.write_atomic(target, crash)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["pairs.jsonl"]
