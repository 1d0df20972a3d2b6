"""The example knowledge leaf: its documents, the pinned commit, and loading it offline."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from sdg_ci.config import load_config
from sdg_ci.taxonomy.documents import DocumentError, build_snapshot_repo, load_chunks
from sdg_ci.taxonomy.leaf import load_leaf

REPO = Path(__file__).resolve().parents[2]
TAXONOMY = REPO / "taxonomy"
LEAF = "knowledge/technology/version_control/git_object_storage/qna.yaml"
DOCS = REPO / "examples" / "knowledge-docs"
UPDATE_HINT = (
    "the example documents changed: run `python examples/make_example_pdf.py` (if the PDF "
    "text changed) and `python examples/make_docs_repo.py /tmp/docs.git`, then put the SHA "
    f"it prints into taxonomy/{LEAF} (document.commit) and its attribution.txt"
)


@pytest.fixture(scope="module")
def leaf():
    return load_leaf(TAXONOMY, LEAF)


def test_docs_repo_sha_matches_the_leaf(tmp_path, leaf):
    built = build_snapshot_repo(DOCS, tmp_path / "docs.git")
    assert built == leaf.data["document"]["commit"], UPDATE_HINT
    attribution = (TAXONOMY / LEAF).parent / "attribution.txt"
    assert built in attribution.read_text(encoding="utf-8"), UPDATE_HINT


def test_make_docs_repo_script_prints_the_same_sha_every_time(tmp_path, leaf):
    script = REPO / "examples" / "make_docs_repo.py"
    shas = []
    for dest in ("one.git", "two.git", "one.git"):  # fresh, fresh, rebuilt in place
        proc = subprocess.run([sys.executable, str(script), str(tmp_path / dest)],
                              capture_output=True, text=True, check=True)
        shas.append(proc.stdout.strip())
    assert shas == [leaf.data["document"]["commit"]] * 3
    log = subprocess.run(["git", "--git-dir", str(tmp_path / "one.git"), "log", "--format=%an|%cI",
                          "main"], capture_output=True, text=True, check=True).stdout.splitlines()
    assert log == ["sdg_ci examples|2025-01-01T00:00:00+00:00"]


def test_the_committed_pdf_is_what_the_script_writes(tmp_path):
    script = REPO / "examples" / "make_example_pdf.py"
    out = tmp_path / "again.pdf"
    subprocess.run([sys.executable, str(script), str(out)], capture_output=True, check=True)
    assert out.read_bytes() == (DOCS / "git-packfiles-and-refs.pdf").read_bytes(), (
        "examples/knowledge-docs/git-packfiles-and-refs.pdf is stale: " + UPDATE_HINT)


def test_documents_are_real_text_of_the_promised_size():
    md_words = len((DOCS / "git-object-store.md").read_text(encoding="utf-8").split())
    reader = pypdf.PdfReader(DOCS / "git-packfiles-and-refs.pdf", strict=True)
    pdf_words = sum(len(p.extract_text().split()) for p in reader.pages)
    assert md_words > 800 and pdf_words > 800
    assert 1500 <= md_words + pdf_words <= 2600
    assert sorted(p.name for p in DOCS.iterdir()) == ["git-object-store.md",
                                                      "git-packfiles-and-refs.pdf"]


def test_example_leaf_loads_offline_through_the_snapshot(tmp_path, leaf):
    settings = load_config(TAXONOMY).documents
    assert settings.snapshots, "taxonomy/.sdg-ci.yaml serves the example docs repo"
    chunks = load_chunks(leaf, settings, tmp_path / "cache")
    sources = {c.source for c in chunks}
    assert sources == {"git-object-store.md", "git-packfiles-and-refs.pdf"}
    assert all(0 < c.tokens <= settings.chunk_tokens for c in chunks)
    assert len(chunks) >= 4
    text = "\n".join(c.text for c in chunks)
    # every seed context comes from the documents
    for example in leaf.data["seed_examples"]:
        first_sentence = " ".join(example["context"].split(".")[0].split())
        assert first_sentence in " ".join(text.split()), first_sentence


def test_a_changed_snapshot_says_how_to_update_the_commit(tmp_path, leaf):
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    (docs / "git-object-store.md").write_text("# Changed\n\nNew text.\n", encoding="utf-8")
    settings = load_config(TAXONOMY).documents.model_copy(
        update={"snapshots": {leaf.data["document"]["repo"]: str(docs)}})
    with pytest.raises(DocumentError) as info:
        load_chunks(leaf, settings, tmp_path / "cache")
    assert "the documents changed; set document.commit to" in str(info.value)
    assert build_snapshot_repo(docs, tmp_path / "x.git") in str(info.value)


def test_snapshot_ignores_dot_files_and_refuses_symlinks(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    (docs / ".DS_Store").write_bytes(b"junk")
    assert build_snapshot_repo(docs, tmp_path / "a.git") == build_snapshot_repo(
        DOCS, tmp_path / "b.git")
    (docs / "link.md").symlink_to(docs / "git-object-store.md")
    with pytest.raises(Exception, match="is a symlink"):
        build_snapshot_repo(docs, tmp_path / "c.git")


def test_snapshot_is_rechecked_even_with_a_warm_cache(tmp_path, leaf):
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    repo = leaf.data["document"]["repo"]
    settings = load_config(TAXONOMY).documents.model_copy(update={"snapshots": {repo: str(docs)}})
    cache = tmp_path / "cache"
    load_chunks(leaf, settings, cache)
    assert len(list((cache / "documents").iterdir())) == 1, "no snapshot copies left behind"
    (docs / "git-object-store.md").write_text("# Edited in place\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="the documents changed"):
        load_chunks(leaf, settings, cache)
