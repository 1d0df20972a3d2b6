"""The classes of hostile input that cost time or memory: patterns, slow PDFs, big trees.

Each limit is checked by behaviour (which error, which file, what was read) and by counted
steps, never by a tight wall-clock bound."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from docs_helpers import make_leaf, settings

from sdg_ci.taxonomy.documents import DocumentError, DocumentsCancelled, load_documents
from sdg_ci.taxonomy.documents import select as doc_select
from sdg_ci.taxonomy.documents.budget import LeafBudget
from sdg_ci.taxonomy.documents.context import DocContext
from sdg_ci.taxonomy.documents.pdf import pdf_blocks

EXAMPLE_PDF = (Path(__file__).resolve().parents[2] / "examples" / "knowledge-docs"
               / "git-packfiles-and-refs.pdf")

# ---- pattern matching is linear in the path length, whatever the pattern ----------------


def _counting(monkeypatch) -> list[int]:
    calls = [0]
    real = doc_select.fnmatchcase

    def counted(name, pattern):
        calls[0] += 1
        return real(name, pattern)

    monkeypatch.setattr(doc_select, "fnmatchcase", counted)
    return calls


@pytest.mark.parametrize(
    "pattern",
    ["**/**/**/**/**/**/**/**/**/x.md", "**/a/**/a/**/a/**/a/**/a/**/x.md",
     "*/**/*/**/*/**/*/**/*/**/*/**/x.md", "**/" * 40 + "nope.md"],
)
def test_matching_work_grows_linearly_with_depth(monkeypatch, pattern):
    parts = doc_select.check_pattern(DocContext("", "", ""), pattern)
    assert len(parts) <= pattern.count("/") + 1
    calls = _counting(monkeypatch)
    steps = {}
    for depth in (40, 80, 160):
        calls[0] = 0
        path = ["a"] * depth + ["y.md"]
        assert doc_select.match(parts, path) is False
        steps[depth] = calls[0]
        assert calls[0] <= (depth + 1) * len(parts)
    # past the first few segments each extra folder costs the same: 80 more folders cost
    # twice what 40 more did (an exponential matcher's cost would square)
    assert steps[160] - steps[80] <= 2 * (steps[80] - steps[40]) + len(parts)


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("**/x.md", "x.md", True),
        ("**/x.md", "a/b/c/x.md", True),
        ("**/**/x.md", "a/x.md", True),
        ("**", "a/b.md", True),
        ("docs/**", "docs/a/b.md", True),
        ("docs/**/*.md", "docs/a.md", True),
        ("docs/**/*.md", "docs/.hidden/a.md", False),
        ("**/*.md", ".git/a.md", False),
        ("*.md", ".a.md", False),
        (".*/a.md", ".cfg/a.md", True),
        ("a/**/b/**/c.md", "a/x/b/y/z/c.md", True),
        ("a/**/b/**/c.md", "a/x/y/z/c.md", False),
        ("a/?/[bc].md", "a/q/c.md", True),
        ("a/?/[bc].md", "a/qq/c.md", False),
        ("a/*", "a/b/c.md", False),
    ],
)
def test_matching_semantics(pattern, path, expected):
    parts = doc_select.check_pattern(DocContext("", "", ""), pattern)
    assert doc_select.match(parts, path.split("/")) is expected


def test_repeated_stars_against_a_deep_tree_load(doc_repo, taxonomy_root, cache_dir,
                                                 monkeypatch):
    deep = "/".join(f"d{i}" for i in range(60))
    for leaf_dir in range(5):
        doc_repo.write(f"{deep}/e{leaf_dir}/y.md", "# Y\n\nText.\n")
    doc_repo.write("x.md", "# X\n\nFound.\n")
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), doc_repo.commit(),
                     ["**/**/**/**/**/**/**/**/**/x.md"])
    calls = _counting(monkeypatch)
    docs = load_documents(leaf, settings(), cache_dir)
    assert [d.source for d in docs.documents] == ["x.md"]
    assert calls[0] < 6 * 63 * 2  # files x depth x collapsed pattern: linear, not 63^9


def test_matching_honours_cancellation(doc_repo, taxonomy_root, cache_dir):
    doc_repo.write("x.md", "# X\n\nText.\n")
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), doc_repo.commit(), ["**/x.md"])
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DocumentsCancelled, match="cancelled"):
        load_documents(leaf, settings(), cache_dir, cancel=cancel)


# ---- a time budget per PDF and per leaf ----------------------------------------------------


class _Clock:
    """A clock that moves `step` seconds each time it is read: deterministic 'slow' work."""

    def __init__(self, step: float):
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_a_slow_pdf_is_stopped_by_its_budget_and_named():
    opts = settings(pdf_timeout_s=5, leaf_timeout_s=100)
    ctx = DocContext("knowledge/demo/qna.yaml", "repo", "a" * 40)
    budget = LeafBudget(ctx, opts, clock=_Clock(0.5))  # every check costs "0.5 s"
    with pytest.raises(DocumentError) as info:
        pdf_blocks(EXAMPLE_PDF.read_bytes(), "slow.pdf", opts, ctx, budget.document("slow.pdf"))
    assert "slow.pdf: converting it took longer than 5 s (documents.pdf_timeout_s)" in str(
        info.value)
    assert info.value.file == "slow.pdf"
    assert str(info.value).startswith("knowledge/demo/qna.yaml: document repo")


def test_the_leaf_budget_caps_all_documents_together():
    opts = settings(pdf_timeout_s=60, leaf_timeout_s=61)
    ctx = DocContext("leaf", "", "")
    clock = _Clock(0.0)
    budget = LeafBudget(ctx, opts, clock=clock)
    clock.now += 30  # the first documents took 30 s
    with pytest.raises(DocumentError, match=r"second.pdf: the leaf's documents took longer "
                       r"than 61 s to convert \(documents.leaf_timeout_s\)"):
        deadline = budget.document("second.pdf")
        clock.step = 1.0
        pdf_blocks(EXAMPLE_PDF.read_bytes(), "second.pdf", opts, ctx, deadline)


def test_a_pdf_within_budget_converts_and_the_budget_leaves_others_alone(
    doc_repo, taxonomy_root, cache_dir
):
    doc_repo.write("a.pdf", EXAMPLE_PDF.read_bytes())
    doc_repo.write("b.md", "# B\n\nText.\n")
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), doc_repo.commit(), ["a.pdf", "b.md"])
    docs = load_documents(leaf, settings(pdf_timeout_s=60, leaf_timeout_s=180), cache_dir)
    assert [d.source for d in docs.documents] == ["a.pdf", "b.md"]


def test_a_leaf_past_its_budget_fails_alone(doc_repo, taxonomy_root, cache_dir, monkeypatch):
    doc_repo.write("a.pdf", EXAMPLE_PDF.read_bytes())
    sha = doc_repo.commit()
    slow = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["a.pdf"])
    with pytest.raises(DocumentError, match="a.pdf: converting it took longer than"):
        load_documents(slow, settings(pdf_timeout_s=1e-9), cache_dir)
    # nothing half-made is cached: the next leaf (same file, normal budget) converts it
    assert load_documents(slow, settings(), cache_dir).documents[0].blocks


# ---- sizes and counts from git's metadata, before reading ----------------------------------


def test_too_many_matching_files_is_refused_before_reading(doc_repo, taxonomy_root, cache_dir,
                                                          no_blob_reads):
    for n in range(12):
        doc_repo.write(f"docs/{n:02}.md", f"# {n}\n\nText.\n")
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), doc_repo.commit(), ["docs/**"])
    with pytest.raises(DocumentError) as info:
        load_documents(leaf, settings(max_documents=10), cache_dir)
    assert ("the patterns match 12 .md/.pdf files, over the documents.max_documents limit "
            "of 10") in str(info.value)
    assert info.value.pattern == "docs/**"


def test_the_document_count_limit_counts_each_file_once(doc_repo, taxonomy_root, cache_dir):
    for n in range(3):
        doc_repo.write(f"docs/{n}.md", f"# {n}\n\nText.\n")
    doc_repo.write("docs/notes.txt", "not a document\n")
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), doc_repo.commit(),
                     ["docs/*", "docs/*.md", "**/0.md"])
    docs = load_documents(leaf, settings(max_documents=3), cache_dir)
    assert [d.source for d in docs.documents] == ["docs/0.md", "docs/1.md", "docs/2.md"]


def test_an_oversize_symlink_target_is_refused_by_its_size(doc_repo, taxonomy_root, cache_dir):
    doc_repo.write("big/real.md", "# Big\n\n" + "word " * 400)
    doc_repo.symlink("docs/link.md", "../big/real.md")
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), doc_repo.commit(), ["docs/link.md"])
    with pytest.raises(DocumentError, match="docs/link.md is 2,007 bytes, over the "
                       "documents.max_document_bytes limit of 1,000"):
        load_documents(leaf, settings(max_document_bytes=1000), cache_dir)
