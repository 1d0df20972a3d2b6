"""What GitHub Actions does to a checkout: shallow clones, detached merge refs, no base."""

from __future__ import annotations

import pytest
from diff_helpers import skill
from gitrepo import Repo

from sdg_ci.errors import SdgCiError
from sdg_ci.taxonomy.gitdiff import diff_taxonomy

POEMS = "compositional_skills/writing/poems/qna.yaml"
PROSE = "compositional_skills/writing/prose/qna.yaml"
ADVICE = "set `fetch-depth: 0` on actions/checkout (or run `git fetch --unshallow`), " \
         "or pass --fetch to let sdg-ci fetch what it needs"


@pytest.fixture
def upstream(base_repo):
    """main with history on both sides of the fork point; pr changes two leaves; a
    `refs/pull/1/merge` merge commit like the one GitHub makes for a pull request."""
    for i in range(5):
        base_repo.write("compositional_skills/writing/prose/qna.yaml", skill(f"pr step {i}"))
        base_repo.commit(f"pr {i}")
    base_repo.write("compositional_skills/math/algebra/qna.yaml", skill("algebra"))
    base_repo.commit("pr adds algebra")
    base_repo.git("checkout", "-q", "main")
    for i in range(5):
        base_repo.write(POEMS, skill(f"main step {i}"))
        base_repo.commit(f"main {i}")
    base_repo.git("checkout", "-q", "--detach", "main")
    base_repo.git("merge", "-q", "--no-ff", "--no-edit", "pr")
    base_repo.git("update-ref", "refs/pull/1/merge", "HEAD")
    base_repo.git("checkout", "-q", "main")
    return base_repo


EXPECTED = [
    ("compositional_skills/math/algebra/qna.yaml", "added"),
    (PROSE, "modified"),
]


def changes(result):
    return [(c.path, c.status) for c in result.leaves]


def shallow_clone(upstream: Repo, tmp_path, branch: str = "pr") -> Repo:
    target = tmp_path / "shallow"
    upstream.git("clone", "-q", "--depth", "1", "--branch", branch,
                 f"file://{upstream.top}", str(target))
    return Repo(target)


def actions_checkout(upstream: Repo, tmp_path) -> Repo:
    """What actions/checkout does for a pull_request event with the default fetch-depth 1:
    fetch the merge ref only, at depth 1, and check it out detached."""
    target = tmp_path / "actions"
    target.mkdir()
    repo = Repo(target)
    repo.git("init", "-q")
    repo.git("remote", "add", "origin", f"file://{upstream.top}")
    repo.git("fetch", "-q", "--no-tags", "--depth=1", "origin",
             "+refs/pull/1/merge:refs/remotes/pull/1/merge")
    repo.git("checkout", "-q", "--detach", "refs/remotes/pull/1/merge")
    return repo


def test_full_clone_reference(upstream):
    upstream.git("checkout", "-q", "pr")
    assert changes(diff_taxonomy(upstream.root, "main", mode="committed")) == EXPECTED


def test_shallow_clone_without_base_says_set_fetch_depth(upstream, tmp_path):
    clone = shallow_clone(upstream, tmp_path)
    assert clone.git("rev-parse", "--is-shallow-repository") == "true"
    with pytest.raises(SdgCiError) as err:
        diff_taxonomy(clone.root, "origin/main", mode="committed")
    assert str(err.value) == f"base 'origin/main' is not in this shallow clone: {ADVICE}"
    with pytest.raises(SdgCiError, match="no base to compare with: .*This is a shallow clone: "
                                         "set `fetch-depth: 0`"):
        diff_taxonomy(clone.root, mode="committed")


def test_shallow_clone_with_base_but_cut_history(upstream, tmp_path):
    clone = shallow_clone(upstream, tmp_path)
    clone.git("fetch", "-q", "--depth=1", "origin", "+refs/heads/main:refs/remotes/origin/main")
    with pytest.raises(SdgCiError) as err:
        diff_taxonomy(clone.root, "origin/main", mode="committed")
    assert str(err.value) == (
        "no merge-base of origin/main and HEAD in this shallow clone (the history is cut "
        f"before they meet): {ADVICE}"
    )


def test_shallow_clone_with_fetch_deepens_until_the_merge_base(upstream, tmp_path):
    clone = shallow_clone(upstream, tmp_path)
    result = diff_taxonomy(clone.root, "origin/main", mode="committed", fetch=True)
    assert changes(result) == EXPECTED
    assert result.merge_base == upstream.sha("main~5")


def test_actions_pull_request_checkout(upstream, tmp_path, monkeypatch):
    """Detached merge commit, depth 1, base known only by GITHUB_BASE_REF."""
    repo = actions_checkout(upstream, tmp_path)
    assert repo.git("rev-parse", "--abbrev-ref", "HEAD") == "HEAD"  # detached
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    with pytest.raises(SdgCiError, match="base 'origin/main' is not in this shallow clone"):
        diff_taxonomy(repo.root)
    result = diff_taxonomy(repo.root, fetch=True)
    assert result.mode == "committed" and result.base == "origin/main"
    assert result.head == upstream.sha("refs/pull/1/merge")
    assert changes(result) == EXPECTED  # main's own changes (POEMS) are not the PR's


def test_actions_checkout_with_fetch_depth_0(upstream, tmp_path, monkeypatch):
    target = tmp_path / "full"
    upstream.git("clone", "-q", f"file://{upstream.top}", str(target))
    repo = Repo(target)
    repo.git("fetch", "-q", "origin", "+refs/pull/1/merge:refs/remotes/pull/1/merge")
    repo.git("checkout", "-q", "--detach", "refs/remotes/pull/1/merge")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    assert changes(diff_taxonomy(repo.root)) == EXPECTED


def test_push_build_range_in_a_shallow_clone(upstream, tmp_path):
    clone = shallow_clone(upstream, tmp_path)
    before = upstream.sha("pr~3")
    with pytest.raises(SdgCiError, match="is not in this shallow clone: set `fetch-depth: 0`"):
        diff_taxonomy(clone.root, commits=f"{before}..HEAD")
    result = diff_taxonomy(clone.root, commits=f"{before}..HEAD", fetch=True)
    assert changes(result) == EXPECTED


def test_single_branch_clone_is_not_compared_with_its_own_upstream(base_repo, tmp_path):
    """origin/HEAD naming the checked-out branch would make every change vanish."""
    base_repo.write("compositional_skills/writing/poems/qna.yaml", skill("changed"))
    base_repo.commit("change on pr")
    clone = tmp_path / "clone"
    base_repo.git("clone", "-q", "--single-branch", "--branch", "pr",
                  f"file://{base_repo.top}", str(clone))
    with pytest.raises(SdgCiError) as err:
        diff_taxonomy(clone, mode="committed")
    assert str(err.value).startswith(
        "no base to compare with: none of origin/main, main exists (origin/HEAD is this "
        "branch's own upstream, not a base); pass --base REF"
    )
