"""Fetching a leaf's documents at the pinned commit, mirrors, patterns, and the cache."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from docs_helpers import make_leaf, markdown_doc, settings

from sdg_ci import gitcmd
from sdg_ci.taxonomy import documents
from sdg_ci.taxonomy.documents import DocumentError, load_chunks, load_documents
from sdg_ci.taxonomy.documents import markdown as doc_markdown

MIRRORED_URL = "https://docs.example.invalid/team/handbook"


def _all_text(chunks) -> str:
    return "\n".join(c.text for c in chunks)


def test_fetches_the_pinned_commit_not_the_branch_tip(doc_repo, taxonomy_root, cache_dir):
    doc_repo.write("guide.md", "# Guide\n\nThe first version says apples.\n")
    first = doc_repo.commit("v1")
    doc_repo.write("guide.md", "# Guide\n\nThe second version says pears.\n")
    doc_repo.commit("v2")

    leaf = make_leaf(taxonomy_root, str(doc_repo.path), first, ["guide.md"])
    chunks = load_chunks(leaf, settings(), cache_dir)

    assert [c.id for c in chunks] == ["guide.md#1"]
    assert "apples" in chunks[0].text and "pears" not in chunks[0].text
    assert chunks[0].source == "guide.md"
    assert chunks[0].heading == "Guide"
    assert chunks[0].location == "lines 1-3"


def test_chunk_fields(doc_repo, taxonomy_root, cache_dir):
    doc_repo.write("docs/guide.md", markdown_doc())
    sha = doc_repo.commit()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["docs/guide.md"])
    chunks = load_chunks(leaf, settings(chunk_tokens=200), cache_dir)
    assert len(chunks) > 2
    for n, chunk in enumerate(chunks, start=1):
        assert chunk.id == f"docs/guide.md#{n}"
        assert chunk.source == "docs/guide.md"
        assert 0 < chunk.tokens <= 200
        assert chunk.heading.startswith("Guide")


def test_mirror_maps_the_url_to_a_local_repo_relative_to_the_taxonomy_root(
    doc_repo, taxonomy_root, cache_dir
):
    doc_repo.write("guide.md", "# Handbook\n\nMirrored text.\n")
    sha = doc_repo.commit()
    relative = "../docs-src"  # taxonomy_root is tmp/taxonomy, the repo tmp/docs-src
    leaf = make_leaf(taxonomy_root, MIRRORED_URL, sha, ["guide.md"])
    chunks = load_chunks(leaf, settings(mirrors={MIRRORED_URL + ".git/": relative}), cache_dir)
    assert "Mirrored text." in chunks[0].text


def test_without_a_mirror_the_https_url_is_fetched(doc_repo, taxonomy_root, cache_dir,
                                                    monkeypatch):
    calls = []
    real = gitcmd.run_git

    def spy(args, **kwargs):
        calls.append((args, kwargs.get("protocol")))
        if args[0] == "fetch":  # no network in tests: stop here, the call is what we check
            return subprocess.CompletedProcess(args, 128, b"", b"fatal: unable to access")
        return real(args, **kwargs)

    monkeypatch.setattr(gitcmd, "run_git", spy)
    leaf = make_leaf(taxonomy_root, MIRRORED_URL, "a" * 40, ["guide.md"])
    with pytest.raises(DocumentError) as info:
        load_chunks(leaf, settings(), cache_dir)
    fetches = [c for c in calls if c[0][0] == "fetch"]
    assert fetches and all(p == "https" for _, p in fetches)
    assert MIRRORED_URL in fetches[0][0]
    assert "cannot fetch" in str(info.value) and "knowledge/demo/qna.yaml" in str(info.value)


def test_falls_back_to_a_full_fetch_when_the_server_refuses_a_sha(
    doc_repo, taxonomy_root, cache_dir, monkeypatch
):
    doc_repo.write("guide.md", "# Guide\n\nOld text.\n")
    old = doc_repo.commit("old")
    doc_repo.write("guide.md", "# Guide\n\nNew text.\n")
    doc_repo.commit("new")
    real = gitcmd.run_git

    def refuse_depth(args, **kwargs):
        if args[0] == "fetch" and "--depth" in args:
            return subprocess.CompletedProcess(
                args, 128, b"", b"error: Server does not allow request for unadvertised object")
        return real(args, **kwargs)

    monkeypatch.setattr(gitcmd, "run_git", refuse_depth)
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), old, ["guide.md"])
    assert "Old text." in load_chunks(leaf, settings(), cache_dir)[0].text


def test_unknown_commit_is_a_clear_error(doc_repo, taxonomy_root, cache_dir):
    doc_repo.write("guide.md", "# Guide\n\nText.\n")
    doc_repo.commit()
    missing = "0123456789abcdef0123456789abcdef01234567"
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), missing, ["guide.md"])
    with pytest.raises(DocumentError) as info:
        load_chunks(leaf, settings(), cache_dir)
    message = str(info.value)
    assert message.startswith("knowledge/demo/qna.yaml: document ")
    assert f"commit {missing} is not in" in message
    assert info.value.commit == missing and info.value.repo == str(doc_repo.path)
    assert not any((cache_dir / "documents").iterdir()), "no half-made cache entry is left"


def test_a_tree_sha_is_not_a_commit(doc_repo, taxonomy_root, cache_dir):
    doc_repo.write("guide.md", "# Guide\n\nText.\n")
    sha = doc_repo.commit()
    tree = subprocess.run(["git", "rev-parse", sha + "^{tree}"], cwd=doc_repo.path,
                          capture_output=True, check=True, text=True).stdout.strip()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), tree, ["guide.md"])
    with pytest.raises(DocumentError, match="is a tree, not a commit"):
        load_chunks(leaf, settings(), cache_dir)


@pytest.mark.parametrize("commit", ["main", "HEAD", "abc1234", "g" * 40, "", None, 12345])
def test_commit_must_be_a_full_sha(doc_repo, taxonomy_root, cache_dir, commit):
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), commit, ["guide.md"])
    with pytest.raises(DocumentError, match="full 40-character commit SHA"):
        load_chunks(leaf, settings(), cache_dir)


def test_missing_document_mapping(taxonomy_root, cache_dir):
    leaf = make_leaf(taxonomy_root, "https://x.invalid/r", "a" * 40, ["a.md"])
    del leaf.data["document"]
    with pytest.raises(DocumentError, match="no `document` mapping"):
        load_chunks(leaf, settings(), cache_dir)


# ---- patterns ------------------------------------------------------------------------


def _tree_repo(doc_repo):
    doc_repo.write("README.md", "# Readme\n\nTop.\n")
    doc_repo.write("docs/a.md", "# A\n\nAlpha.\n")
    doc_repo.write("docs/b.md", "# B\n\nBeta.\n")
    doc_repo.write("docs/deep/c.md", "# C\n\nGamma.\n")
    doc_repo.write("docs/.hidden.md", "# Hidden\n\nSecret.\n")
    doc_repo.write("docs/notes.txt", "plain text\n")
    doc_repo.write("docs/Upper.MD", "# Upper\n\nCase suffix.\n")
    return doc_repo.commit()


@pytest.mark.parametrize(
    ("patterns", "sources"),
    [
        (["docs/a.md"], ["docs/a.md"]),
        (["docs/*.md"], ["docs/a.md", "docs/b.md"]),
        (["docs/*.[mM][dD]"], ["docs/Upper.MD", "docs/a.md", "docs/b.md"]),
        (["docs/**/*.md"], ["docs/a.md", "docs/b.md", "docs/deep/c.md"]),
        (["**/c.md"], ["docs/deep/c.md"]),
        (["docs/?.md"], ["docs/a.md", "docs/b.md"]),
        (["./README.md", "docs//a.md"], ["README.md", "docs/a.md"]),
        (["docs/.hidden.md"], ["docs/.hidden.md"]),
        (["docs/b.md", "docs/*.md"], ["docs/b.md", "docs/a.md"]),  # pattern order, no repeats
    ],
)
def test_pattern_matching(doc_repo, taxonomy_root, cache_dir, patterns, sources):
    sha = _tree_repo(doc_repo)
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, patterns)
    docs = load_documents(leaf, settings(), cache_dir)
    assert [d.source for d in docs.documents] == sources


def test_other_file_types_are_skipped_with_a_note(doc_repo, taxonomy_root, cache_dir):
    sha = _tree_repo(doc_repo)
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["docs/*"])
    docs = load_documents(leaf, settings(), cache_dir)
    assert [d.source for d in docs.documents] == ["docs/Upper.MD", "docs/a.md", "docs/b.md"]
    assert docs.skipped == ["docs/notes.txt: skipped (only .md and .pdf files are converted)"]


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("docs/*.txt", "pattern 'docs/*.txt' matched 1 file(s), none .md or .pdf"),
        ("docs/missing.md", "pattern 'docs/missing.md' matched no file"),
        ("docs", "pattern 'docs' matched no file"),
    ],
)
def test_pattern_without_a_document_is_an_error(doc_repo, taxonomy_root, cache_dir, pattern,
                                                says):
    sha = _tree_repo(doc_repo)
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["docs/a.md", pattern])
    with pytest.raises(DocumentError) as info:
        load_documents(leaf, settings(), cache_dir)
    assert says in str(info.value)
    assert info.value.pattern == pattern


def test_symlink_inside_the_repo_is_followed(doc_repo, taxonomy_root, cache_dir):
    doc_repo.write("docs/real.md", "# Real\n\nReal text.\n")
    doc_repo.symlink("alias.md", "docs/real.md")
    sha = doc_repo.commit()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["alias.md"])
    chunks = load_chunks(leaf, settings(), cache_dir)
    assert chunks[0].source == "alias.md" and "Real text." in chunks[0].text


def test_submodule_is_refused(doc_repo, taxonomy_root, cache_dir):
    doc_repo.write("a.md", "# A\n\nText.\n")
    sha = doc_repo.commit()
    subprocess.run(["git", "update-index", "--add", "--cacheinfo", f"160000,{sha},vendor.md"],
                   cwd=doc_repo.path, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "submodule"], cwd=doc_repo.path, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=doc_repo.path, capture_output=True,
                          text=True, check=True).stdout.strip()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), head, ["vendor.md"])
    with pytest.raises(DocumentError, match="vendor.md is a submodule"):
        load_chunks(leaf, settings(), cache_dir)


# ---- the cache -----------------------------------------------------------------------


def test_second_load_reuses_the_cache_without_fetching(doc_repo, taxonomy_root, cache_dir,
                                                       monkeypatch):
    doc_repo.write("guide.md", markdown_doc())
    sha = doc_repo.commit()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["guide.md"])
    first = load_chunks(leaf, settings(chunk_tokens=300), cache_dir)

    shutil.rmtree(doc_repo.path)  # the source is gone: only the cache can answer
    seen = []
    real = gitcmd.run_git

    def spy(args, **kwargs):
        seen.append(args[0])
        return real(args, **kwargs)

    monkeypatch.setattr(gitcmd, "run_git", spy)
    second = load_chunks(leaf, settings(chunk_tokens=300), cache_dir)
    assert second == first
    assert "fetch" not in seen and "init" not in seen


def test_cache_reuse_through_a_mirror_with_the_mirror_gone(doc_repo, taxonomy_root, cache_dir):
    doc_repo.write("guide.md", "# Guide\n\nCached.\n")
    sha = doc_repo.commit()
    leaf = make_leaf(taxonomy_root, MIRRORED_URL, sha, ["guide.md"])
    mirrors = {MIRRORED_URL: str(doc_repo.path)}
    load_chunks(leaf, settings(mirrors=mirrors), cache_dir)
    shutil.rmtree(doc_repo.path)
    # a cached commit needs neither the mirror nor the network
    assert "Cached." in load_chunks(leaf, settings(mirrors=mirrors), cache_dir)[0].text
    assert "Cached." in load_chunks(leaf, settings(), cache_dir)[0].text


def test_missing_local_repo_is_named(taxonomy_root, cache_dir, tmp_path):
    gone = tmp_path / "nowhere"
    leaf = make_leaf(taxonomy_root, MIRRORED_URL, "a" * 40, ["guide.md"])
    with pytest.raises(DocumentError) as info:
        load_chunks(leaf, settings(mirrors={MIRRORED_URL: str(gone)}), cache_dir)
    assert f"the mirror in documents.mirrors {gone}: local repository does not exist" in str(
        info.value)


def test_cache_layout_and_damaged_entry_is_refetched(doc_repo, taxonomy_root, cache_dir):
    doc_repo.write("guide.md", "# Guide\n\nText.\n")
    sha = doc_repo.commit()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["guide.md"])
    load_chunks(leaf, settings(), cache_dir)
    entry = cache_dir / "documents" / documents.cache_key(str(doc_repo.path), sha)
    assert (entry / "HEAD").is_file()
    assert not (entry / "hooks").exists(), "no sample hooks in the cache repo"
    assert [p.name for p in (cache_dir / "documents").iterdir()] == [entry.name]

    shutil.rmtree(entry / "objects")  # damaged
    (entry / "objects").mkdir()
    assert "Text." in load_chunks(leaf, settings(), cache_dir)[0].text


def test_converted_text_is_cached_by_blob(doc_repo, taxonomy_root, cache_dir, monkeypatch):
    doc_repo.write("guide.md", "# Guide\n\nText.\n")
    sha = doc_repo.commit()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["guide.md"])
    first = load_chunks(leaf, settings(), cache_dir)
    monkeypatch.setattr(doc_markdown, "parse_markdown", lambda text: pytest.fail("not cached"))
    assert load_chunks(leaf, settings(), cache_dir) == first


def test_a_skipped_file_name_cannot_start_a_log_line(doc_repo, taxonomy_root, cache_dir,
                                                      caplog):
    # a document repo is anyone's: a file name with a newline must not become a line of
    # its own in the log, where GitHub Actions would read "::error ..." as a command
    doc_repo.write("docs/a.md", "# A\n\nAlpha.\n")
    doc_repo.write("docs/x\n::error title=Injected::pwned.txt", "x\n")
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), doc_repo.commit(), ["docs/*"])
    with caplog.at_level("WARNING"):
        docs = load_documents(leaf, settings(), cache_dir)
    assert len(docs.skipped) == 1
    logged = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(logged) == 1 and "\n" not in logged[0] and "x ::error" in logged[0]
