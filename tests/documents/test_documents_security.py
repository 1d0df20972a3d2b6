"""What the document fetch refuses: transports, escaping patterns, symlinks out, big files."""

from __future__ import annotations

import subprocess

import pytest
from docs_helpers import make_leaf, settings

from sdg_ci import gitcmd
from sdg_ci.taxonomy.documents import DocumentError, load_chunks, load_documents

SHA = "0123456789abcdef0123456789abcdef01234567"
URL = "https://docs.example.invalid/team/handbook"


@pytest.fixture
def no_git(monkeypatch):
    """Any git call fails the test: refusals must happen before git runs."""

    def forbidden(args, **kwargs):
        pytest.fail(f"git ran for a refused repo: {args}")

    monkeypatch.setattr(gitcmd, "run_git", forbidden)


@pytest.mark.parametrize(
    ("repo", "says"),
    [
        ("ext::sh -c touch% /tmp/pwned", "'transport::address' forms"),
        ("ext::ssh -o ProxyCommand=x host", "'transport::address' forms"),
        ("file::/srv/repo", "'transport::address' forms"),
        ("fd::3", "'transport::address' forms"),
        ("https::https://github.com/a/b", "'transport::address' forms"),
        ("ssh://git@github.com/a/b.git", "the ssh:// transport is not allowed"),
        ("git+ssh://github.com/a/b", "the git+ssh:// transport is not allowed"),
        ("git://github.com/a/b.git", "the git:// transport is not allowed"),
        ("http://github.com/a/b.git", "the http:// transport is not allowed"),
        ("HTTP://github.com/a/b.git", "the http:// transport is not allowed"),
        ("file:///srv/repo", "the file:// transport is not allowed"),
        ("ftp://example.com/repo", "the ftp:// transport is not allowed"),
        ("git@github.com:a/b.git", "'host:path' is git's ssh shorthand"),
        ("github.com:a/b", "'host:path' is git's ssh shorthand"),
        ("docs/repo", "a relative path means nothing"),
        ("-uhack", "starts with '-'"),
        ("--upload-pack=touch /tmp/x", "starts with '-'"),
        ("https://user:token@github.com/a/b", "holds a user name or password"),
        ("https://evil.com@github.com/a/b", "holds a user name or password"),
        ("https://github.com/a/b c", "holds spaces or backslashes"),
        ("https://github.com/a\\b", "holds spaces or backslashes"),
        ("https://github.com/a/b\n--upload-pack=x", "control characters"),
        ("https:///a/b", "is not a valid host name"),
        ("https://bad_host!/a", "is not a valid host name"),
        ("/srv/repo::x", "'transport::address' forms"),
    ],
)
def test_bad_transports_are_refused_before_git_runs(taxonomy_root, cache_dir, no_git, repo,
                                                     says):
    leaf = make_leaf(taxonomy_root, repo, SHA, ["a.md"])
    with pytest.raises(DocumentError) as info:
        load_chunks(leaf, settings(), cache_dir)
    message = str(info.value)
    assert says in message
    assert message.startswith("knowledge/demo/qna.yaml: document ")
    assert "refused" in message or "not a valid" in message
    assert not cache_dir.exists()


@pytest.mark.parametrize("mirror", ["ext::sh -c id", "ssh://host/repo", "http://host/repo"])
def test_bad_mirror_values_are_refused_too(taxonomy_root, cache_dir, no_git, mirror):
    leaf = make_leaf(taxonomy_root, URL, SHA, ["a.md"])
    with pytest.raises(DocumentError, match="the mirror in documents.mirrors"):
        load_chunks(leaf, settings(mirrors={URL: mirror}), cache_dir)


def test_git_itself_refuses_ext_even_if_python_checks_were_bypassed(tmp_path):
    """Second line of defence: the hardened git invocation disallows every other transport."""
    marker = tmp_path / "pwned"
    repo = tmp_path / "r.git"
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    for protocol in ("file", "https"):
        proc = gitcmd.run_git(
            ["fetch", f"ext::sh -c touch% {marker}", SHA], git_dir=repo, protocol=protocol,
            timeout=30)
        assert proc.returncode != 0
        assert not marker.exists()
    assert b"transport 'ext' not allowed" in proc.stderr


def test_git_runs_without_inherited_git_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("GIT_SSH_COMMAND", "touch pwned")
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'protocol.allow'='always'")
    env = gitcmd.isolated_env()
    assert "GIT_DIR" not in env and "GIT_SSH_COMMAND" not in env
    assert "GIT_CONFIG_PARAMETERS" not in env
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["GIT_CONFIG_NOSYSTEM"] == "1"


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("../secret.md", "'..' would leave the document repository"),
        ("docs/../../secret.md", "'..' would leave the document repository"),
        ("/etc/passwd.md", "it is absolute"),
        ("~/notes.md", "it is absolute"),
        ("C:/docs/a.md", "it is absolute"),
        ("docs\\..\\..\\a.md", "backslash"),
        (".", "it names no file"),
    ],
)
def test_escaping_patterns_are_refused(doc_repo, taxonomy_root, cache_dir, pattern, says):
    doc_repo.write("docs/a.md", "# A\n\nText.\n")
    sha = doc_repo.commit()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, [pattern])
    with pytest.raises(DocumentError) as info:
        load_chunks(leaf, settings(), cache_dir)
    assert f"pattern {pattern!r} is refused: " in str(info.value)
    assert says in str(info.value)
    assert info.value.pattern == pattern


@pytest.mark.parametrize(
    "target", ["../../../../etc/passwd", "/etc/passwd", "..", "../../docs-src"])
def test_symlink_out_of_the_repo_is_refused(doc_repo, taxonomy_root, cache_dir, target):
    doc_repo.write("docs/a.md", "# A\n\nText.\n")
    doc_repo.symlink("docs/evil.md", target)
    sha = doc_repo.commit()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["docs/*.md"])
    with pytest.raises(DocumentError) as info:
        load_chunks(leaf, settings(), cache_dir)
    assert "docs/evil.md is a symlink pointing outside the document repository" in str(info.value)
    assert info.value.file == "docs/evil.md"


def test_symlink_chain_and_loop(doc_repo, taxonomy_root, cache_dir):
    doc_repo.write("real.md", "# Real\n\nText.\n")
    doc_repo.symlink("one.md", "two.md")
    doc_repo.symlink("two.md", "real.md")
    doc_repo.symlink("loop-a.md", "loop-b.md")
    doc_repo.symlink("loop-b.md", "loop-a.md")
    doc_repo.symlink("dangling.md", "nothing.md")
    sha = doc_repo.commit()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["one.md"])
    assert "Text." in load_chunks(leaf, settings(), cache_dir)[0].text
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["loop-a.md"])
    with pytest.raises(DocumentError, match="too many levels of symlinks"):
        load_chunks(leaf, settings(), cache_dir)
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["dangling.md"])
    with pytest.raises(DocumentError, match="symlink target nothing.md is not a file"):
        load_chunks(leaf, settings(), cache_dir)


def test_nothing_is_checked_out_so_a_symlink_cannot_write_outside(doc_repo, taxonomy_root,
                                                                  cache_dir):
    doc_repo.symlink("link", "/")
    doc_repo.write("a.md", "# A\n\nText.\n")
    sha = doc_repo.commit()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["a.md"])
    load_chunks(leaf, settings(), cache_dir)
    assert not any(p.is_symlink() for p in cache_dir.rglob("*"))


def test_oversize_file_is_refused_before_reading(doc_repo, taxonomy_root, cache_dir,
                                                 no_blob_reads):
    doc_repo.write("big.md", "# Big\n\n" + "word " * 400)
    doc_repo.write("small.md", "# Small\n\nText.\n")
    sha = doc_repo.commit()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["small.md", "big.md"])
    with pytest.raises(DocumentError) as info:
        load_documents(leaf, settings(max_document_bytes=1000), cache_dir)
    assert "big.md is 2,007 bytes, over the documents.max_document_bytes limit of 1,000" in str(
        info.value)
    assert info.value.file == "big.md"
