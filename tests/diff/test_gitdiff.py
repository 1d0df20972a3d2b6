"""diff_taxonomy on real git repositories: statuses, reasons, modes and the merge-base."""

from __future__ import annotations

import pytest
from diff_helpers import knowledge, skill
from gitrepo import Repo

from sdg_ci.errors import SdgCiError
from sdg_ci.taxonomy.gitdiff import LeafChange, changed_leaf_files, diff_taxonomy

POEMS = "compositional_skills/writing/poems/qna.yaml"
PROSE = "compositional_skills/writing/prose/qna.yaml"
PHYSICS = "knowledge/science/physics/qna.yaml"
PHYSICS_ATTR = "knowledge/science/physics/attribution.txt"


def leaves(result) -> list[tuple]:
    return [(c.path, c.status, c.old_path, c.reasons) for c in result.leaves]


def test_committed_branch_add_modify_delete_rename(base_repo):
    base_repo.write(POEMS, skill("poems, revised"))
    base_repo.write("compositional_skills/math/algebra/qna.yaml", skill("algebra"))
    base_repo.remove(PROSE)
    base_repo.move(PHYSICS, "knowledge/science/mechanics/qna.yaml")
    base_repo.move(PHYSICS_ATTR, "knowledge/science/mechanics/attribution.txt")
    head = base_repo.commit("pr work")

    result = diff_taxonomy(base_repo.root, "main", mode="committed")

    assert leaves(result) == [
        ("compositional_skills/math/algebra/qna.yaml", "added", None, ("content",)),
        (POEMS, "modified", None, ("content",)),
        (PROSE, "deleted", None, ("content",)),
        ("knowledge/science/mechanics/qna.yaml", "renamed", PHYSICS, ("renamed",)),
    ]
    assert result.base == "main"
    assert result.merge_base == base_repo.sha("main")
    assert result.head == head
    assert result.count_line() == "4 leaves changed: 1 modified, 1 added, 1 renamed, 1 deleted"
    assert [c.path for c in result.changed] == [
        "compositional_skills/math/algebra/qna.yaml",
        POEMS,
        "knowledge/science/mechanics/qna.yaml",
    ]
    assert [c.path for c in result.deleted] == [PROSE]


def test_rename_with_edit_has_content_reason(base_repo):
    base_repo.move(POEMS, "compositional_skills/writing/verse/qna.yaml")
    base_repo.write("compositional_skills/writing/verse/qna.yaml", skill("poems") + "# more\n")
    base_repo.commit()
    result = diff_taxonomy(base_repo.root, "main", mode="committed")
    assert leaves(result) == [
        ("compositional_skills/writing/verse/qna.yaml", "renamed", POEMS, ("content", "renamed")),
    ]


def test_compares_with_the_merge_base_not_the_base_tip(base_repo):
    base_repo.write(POEMS, skill("poems on the branch"))
    base_repo.commit("branch change")
    base_repo.git("checkout", "-q", "main")
    base_repo.write(PROSE, skill("prose on main"))
    base_repo.write("knowledge/history/rome/qna.yaml", knowledge("rome"))
    fork_point = base_repo.sha("main~0")
    base_repo.commit("main moves on")
    base_repo.git("checkout", "-q", "pr")

    result = diff_taxonomy(base_repo.root, "main", mode="committed")

    assert leaves(result) == [(POEMS, "modified", None, ("content",))]
    assert result.merge_base == fork_point
    assert result.merge_base != base_repo.sha("main")


def test_merge_of_main_into_branch_shows_only_branch_changes(base_repo):
    base_repo.write(POEMS, skill("branch"))
    base_repo.commit("branch")
    base_repo.git("checkout", "-q", "main")
    base_repo.write(PROSE, skill("main"))
    base_repo.commit("main")
    base_repo.git("checkout", "-q", "pr")
    base_repo.git("merge", "-q", "--no-edit", "main")
    result = diff_taxonomy(base_repo.root, "main", mode="committed")
    assert leaves(result) == [(POEMS, "modified", None, ("content",))]


def test_cost_is_independent_of_many_commits(base_repo):
    for i in range(30):
        base_repo.write(POEMS, skill(f"poems {i}"))
        base_repo.commit(f"step {i}")
    base_repo.write(PROSE, skill("prose"))  # back to what it was: not a change
    base_repo.commit("noop")
    result = diff_taxonomy(base_repo.root, "main", mode="committed")
    assert leaves(result) == [(POEMS, "modified", None, ("content",))]


def test_working_tree_sees_staged_unstaged_and_untracked_not_ignored(base_repo):
    base_repo.write(".gitignore", "scratch/\n")
    base_repo.commit("ignore scratch")
    base_repo.write(POEMS, skill("staged edit"))
    base_repo.git("add", POEMS)
    base_repo.write(PROSE, skill("unstaged edit"))
    base_repo.write("knowledge/history/rome/qna.yaml", knowledge("rome"))  # untracked
    base_repo.write("scratch/compositional_skills/x/qna.yaml", skill("ignored"))
    base_repo.write("compositional_skills/ignored/qna.yaml", skill("x"))
    base_repo.write(".gitignore", "scratch/\ncompositional_skills/ignored/\n")

    result = diff_taxonomy(base_repo.root, "main")  # auto outside CI: working tree

    assert result.mode == "working-tree"
    assert leaves(result) == [
        (POEMS, "modified", None, ("content",)),
        (PROSE, "modified", None, ("content",)),
        ("knowledge/history/rome/qna.yaml", "added", None, ("content",)),
    ]


def test_working_tree_plain_mv_is_a_rename_and_index_is_untouched(base_repo):
    index = base_repo.top / ".git" / "index"
    before = index.read_bytes()
    base_repo.move(POEMS, "compositional_skills/writing/haiku/qna.yaml")  # not git mv
    result = diff_taxonomy(base_repo.root, "main", mode="working-tree")
    assert leaves(result) == [
        ("compositional_skills/writing/haiku/qna.yaml", "renamed", POEMS, ("renamed",)),
    ]
    assert index.read_bytes() == before
    assert "?? compositional_skills/writing/haiku/" in base_repo.git("status", "--porcelain")


def test_in_ci_auto_mode_ignores_the_working_tree(base_repo, monkeypatch):
    base_repo.write(POEMS, skill("committed"))
    base_repo.commit()
    base_repo.write("knowledge/history/rome/qna.yaml", knowledge("rome"))  # e.g. a step's output
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = diff_taxonomy(base_repo.root, "main")
    assert result.mode == "committed"
    assert leaves(result) == [(POEMS, "modified", None, ("content",))]


def test_staged_compares_index_with_head(base_repo):
    base_repo.write(POEMS, skill("committed on branch"))
    base_repo.commit()
    base_repo.write(PROSE, skill("staged"))
    base_repo.git("add", PROSE)
    base_repo.git("rm", "-q", PHYSICS)
    base_repo.write("knowledge/history/rome/qna.yaml", knowledge("rome"))  # untracked

    result = diff_taxonomy(base_repo.root, mode="staged")
    assert result.base == "HEAD"
    assert leaves(result) == [
        (PROSE, "modified", None, ("content",)),
        (PHYSICS, "deleted", None, ("content",)),
    ]
    # with a base, the index is compared with the merge-base instead
    with_base = diff_taxonomy(base_repo.root, "main", mode="staged")
    assert [c.path for c in with_base.leaves] == [POEMS, PROSE, PHYSICS]


def test_staged_in_a_repo_without_commits_lists_staged_leaves(make_repo):
    repo = make_repo()
    repo.write(POEMS, skill())
    repo.write(PROSE, skill())
    repo.git("add", POEMS)
    result = diff_taxonomy(repo.root, mode="staged")
    assert leaves(result) == [(POEMS, "added", None, ("content",))]
    assert result.head is None and result.merge_base is None


def test_commits_two_dot_and_three_dot(base_repo):
    before = base_repo.sha()
    base_repo.write(POEMS, skill("1"))
    base_repo.commit()
    base_repo.write(PROSE, skill("2"))
    after = base_repo.commit()
    base_repo.git("checkout", "-q", "main")
    base_repo.write("knowledge/history/rome/qna.yaml", knowledge("rome"))
    base_repo.commit("main only")

    push = diff_taxonomy(base_repo.root, commits=f"{before}..{after}")
    assert push.mode == "commits"
    assert (push.merge_base, push.head) == (before, after)
    assert [c.path for c in push.leaves] == [POEMS, PROSE]

    # two dots compare the trees as they are: main's new leaf shows as deleted on pr
    direct = diff_taxonomy(base_repo.root, commits="main..pr")
    assert ("knowledge/history/rome/qna.yaml", "deleted") in [
        (c.path, c.status) for c in direct.leaves
    ]
    # three dots start at the merge-base, like a pull request
    pr = diff_taxonomy(base_repo.root, commits="main...pr")
    assert [c.path for c in pr.leaves] == [POEMS, PROSE]
    # an empty side is HEAD (main is checked out)
    assert [c.path for c in diff_taxonomy(base_repo.root, commits="pr..").leaves] == [
        POEMS, PROSE, "knowledge/history/rome/qna.yaml"
    ]


@pytest.mark.parametrize(
    "spec, message",
    [
        ("main", "--commits wants a range A..B"),
        ("nope..main", "base 'nope' not found"),
        ("--output=x..main", "looks like an option"),
    ],
)
def test_commits_errors(base_repo, spec, message):
    with pytest.raises(SdgCiError, match=message):
        diff_taxonomy(base_repo.root, commits=spec)


def test_commits_with_base_is_refused(base_repo):
    with pytest.raises(SdgCiError, match="already names the base"):
        diff_taxonomy(base_repo.root, "main", commits="main..pr")


# --- attribution and document reasons -----------------------------------------------------


def test_attribution_change_alone_marks_the_leaf_modified(base_repo):
    base_repo.write(PHYSICS_ATTR, "Title: physics, 2nd edition\n")
    base_repo.commit()
    result = diff_taxonomy(base_repo.root, "main", mode="committed")
    assert leaves(result) == [(PHYSICS, "modified", None, ("attribution",))]


def test_attribution_added_removed_and_orphaned(base_repo):
    base_repo.write("compositional_skills/writing/poems/attribution.txt", "by me\n")  # added
    base_repo.remove(PHYSICS_ATTR)  # removed, leaf stays
    base_repo.write("knowledge/orphan/attribution.txt", "no leaf here\n")  # no leaf beside
    base_repo.write("compositional_skills/new/qna.yaml", skill("new"))
    base_repo.write("compositional_skills/new/attribution.txt", "new\n")
    base_repo.commit()
    result = diff_taxonomy(base_repo.root, "main", mode="committed")
    assert leaves(result) == [
        ("compositional_skills/new/qna.yaml", "added", None, ("content", "attribution")),
        (POEMS, "modified", None, ("attribution",)),
        (PHYSICS, "modified", None, ("attribution",)),
    ]


def test_attribution_in_working_tree_and_staged(base_repo):
    base_repo.write(PHYSICS_ATTR, "edited, unstaged\n")
    assert leaves(diff_taxonomy(base_repo.root, "main", mode="working-tree")) == [
        (PHYSICS, "modified", None, ("attribution",))
    ]
    assert diff_taxonomy(base_repo.root, mode="staged").leaves == []
    base_repo.git("add", PHYSICS_ATTR)
    assert leaves(diff_taxonomy(base_repo.root, mode="staged")) == [
        (PHYSICS, "modified", None, ("attribution",))
    ]


def test_leaf_deleted_with_its_attribution(base_repo):
    base_repo.remove(PHYSICS)
    base_repo.remove(PHYSICS_ATTR)
    base_repo.commit()
    result = diff_taxonomy(base_repo.root, "main", mode="committed")
    assert leaves(result) == [(PHYSICS, "deleted", None, ("content", "attribution"))]


def test_folder_moved_with_changed_attribution(base_repo):
    base_repo.move(PHYSICS, "knowledge/science/mechanics/qna.yaml")
    base_repo.move(PHYSICS_ATTR, "knowledge/science/mechanics/attribution.txt")
    base_repo.write("knowledge/science/mechanics/attribution.txt", "Title: physics\nLicense: CC\n")
    base_repo.commit()
    result = diff_taxonomy(base_repo.root, "main", mode="committed")
    assert leaves(result) == [
        ("knowledge/science/mechanics/qna.yaml", "renamed", PHYSICS, ("renamed", "attribution")),
    ]


def test_leaf_moved_without_its_attribution(base_repo):
    base_repo.move(PHYSICS, "knowledge/science/mechanics/qna.yaml")
    base_repo.remove(PHYSICS_ATTR)
    base_repo.commit()
    result = diff_taxonomy(base_repo.root, "main", mode="committed")
    assert leaves(result) == [
        ("knowledge/science/mechanics/qna.yaml", "renamed", PHYSICS, ("renamed", "attribution")),
    ]


@pytest.mark.parametrize(
    "new_text, reasons",
    [
        (knowledge(commit="def456"), ("content", "document")),
        (knowledge(repo="https://example.com/other"), ("content", "document")),
        (knowledge(patterns=("*.md", "*.pdf")), ("content", "document")),
        (knowledge(desc="physics, better seeds"), ("content",)),
        (knowledge().replace("  commit: abc123", "  commit:   abc123  "), ("content",)),
        ("version: 3\nseed_examples: [\n", ("content",)),  # new version does not parse
        (knowledge().split("document:")[0], ("content", "document")),  # reference removed
    ],
    ids=["commit", "repo", "patterns", "seeds-only", "whitespace", "unparsable", "removed"],
)
def test_document_reason(base_repo, new_text, reasons):
    base_repo.write(PHYSICS, new_text)
    base_repo.commit()
    for mode in ("committed", "working-tree"):
        assert leaves(diff_taxonomy(base_repo.root, "main", mode=mode)) == [
            (PHYSICS, "modified", None, reasons)
        ]


def test_document_reason_in_working_tree_and_staged(base_repo):
    base_repo.write(PHYSICS, knowledge(commit="fff999"))
    assert leaves(diff_taxonomy(base_repo.root, "main", mode="working-tree"))[0][3] == (
        "content", "document")
    base_repo.git("add", PHYSICS)
    assert leaves(diff_taxonomy(base_repo.root, mode="staged"))[0][3] == ("content", "document")


def test_document_reordered_patterns_are_the_same_reference(base_repo):
    base_repo.write(PHYSICS, knowledge(patterns=("*.md", "*.pdf")))
    base_repo.commit("two patterns")
    base_repo.git("branch", "-f", "main", "HEAD")
    base_repo.write(PHYSICS, knowledge(patterns=("*.pdf", "*.md")))
    base_repo.commit("reorder")
    assert leaves(diff_taxonomy(base_repo.root, "main", mode="committed")) == [
        (PHYSICS, "modified", None, ("content",))
    ]


def test_old_version_unparsable_is_tolerated(base_repo):
    base_repo.write(PHYSICS, "document: [unclosed\n")
    base_repo.commit("broken")
    base_repo.git("branch", "-f", "main", "HEAD")
    base_repo.write(PHYSICS, knowledge(commit="new"))
    base_repo.commit("fixed")
    assert leaves(diff_taxonomy(base_repo.root, "main", mode="committed")) == [
        (PHYSICS, "modified", None, ("content",))
    ]


def test_renamed_knowledge_leaf_with_new_document(base_repo):
    base_repo.move(PHYSICS, "knowledge/science/mechanics/qna.yaml")
    base_repo.write("knowledge/science/mechanics/qna.yaml", knowledge(commit="zzz"))
    base_repo.commit()
    assert leaves(diff_taxonomy(base_repo.root, "main", mode="committed")) == [
        ("knowledge/science/mechanics/qna.yaml", "renamed", PHYSICS,
         ("content", "renamed", "document")),
    ]


def test_skill_leaves_never_get_a_document_reason(base_repo):
    base_repo.write(POEMS, skill("poems") + "document:\n  repo: x\n  commit: y\n")
    base_repo.commit("a")
    base_repo.git("branch", "-f", "main", "HEAD")
    base_repo.write(POEMS, skill("poems") + "document:\n  repo: x\n  commit: z\n")
    base_repo.commit("b")
    assert leaves(diff_taxonomy(base_repo.root, "main", mode="committed")) == [
        (POEMS, "modified", None, ("content",))
    ]


# --- look-alikes ------------------------------------------------------------------------------


def test_misnamed_and_misplaced_files_are_reported(base_repo):
    base_repo.write("knowledge/history/rome/qna.yml", knowledge("rome"))
    base_repo.write("compositional_skills/writing/essays/QnA.yaml", skill("essays"))
    base_repo.write("skills/writing/qna.yaml", skill("wrong root"))
    base_repo.write(".github/qna.yaml", "not a leaf: hidden folder\n")
    base_repo.write("knowledge/history/rome/notes.md", "not a leaf\n")
    base_repo.commit()
    result = diff_taxonomy(base_repo.root, "main", mode="committed")
    assert result.leaves == []
    assert result.misnamed == [
        LeafChange("compositional_skills/writing/essays/QnA.yaml", "added", None, ("misnamed",)),
        LeafChange("knowledge/history/rome/qna.yml", "added", None, ("misnamed",)),
        LeafChange("skills/writing/qna.yaml", "added", None, ("misplaced",)),
    ]
    assert result.count_line() == "no leaf changed"
    assert changed_leaf_files(base_repo.root, "main", "committed") == [
        "compositional_skills/writing/essays/QnA.yaml",
        "knowledge/history/rome/qna.yml",
        "skills/writing/qna.yaml",
    ]
    assert changed_leaf_files(base_repo.root, "main", "committed", include_misnamed=False) == []


def test_fixing_a_misnamed_file_adds_a_leaf_and_removing_one_is_silent(base_repo):
    base_repo.write("knowledge/history/rome/qna.yml", knowledge("rome"))
    base_repo.write("knowledge/history/greece/qna.yml", knowledge("greece"))
    base_repo.commit("misnamed on main")
    base_repo.git("branch", "-f", "main", "HEAD")
    base_repo.move("knowledge/history/rome/qna.yml", "knowledge/history/rome/qna.yaml")
    base_repo.remove("knowledge/history/greece/qna.yml")
    base_repo.move(POEMS, "compositional_skills/writing/poems/qna.yml")  # breaks a leaf
    base_repo.commit("fix one, drop one, break one")
    result = diff_taxonomy(base_repo.root, "main", mode="committed")
    assert leaves(result) == [
        (POEMS, "deleted", None, ("content",)),
        ("knowledge/history/rome/qna.yaml", "added", None, ("content",)),
    ]
    assert result.misnamed == [
        LeafChange("compositional_skills/writing/poems/qna.yml", "added", None, ("misnamed",))
    ]


# --- taxonomy in a subfolder -------------------------------------------------------------------


def test_taxonomy_in_a_subfolder(make_repo):
    repo = make_repo(subdir="data/taxonomy")
    repo.write(POEMS, skill())
    repo.write(PHYSICS, knowledge())
    (repo.top / "compositional_skills" / "outside").mkdir(parents=True)
    (repo.top / "compositional_skills" / "outside" / "qna.yaml").write_text(skill("outside"))
    (repo.top / "stray.yaml").write_text(skill("moved in later"))
    repo.commit("initial")
    repo.git("checkout", "-q", "-b", "pr")
    repo.write(POEMS, skill("edited"))
    (repo.top / "compositional_skills" / "outside" / "qna.yaml").write_text(skill("edit"))
    (repo.root / "compositional_skills/moved").mkdir()
    (repo.root / "knowledge/science/mechanics").mkdir()
    repo.git("mv", "stray.yaml", "data/taxonomy/compositional_skills/moved/qna.yaml")
    repo.git("mv", "data/taxonomy/knowledge/science/physics/qna.yaml",
             "data/taxonomy/knowledge/science/mechanics/qna.yaml")
    repo.write("knowledge/new/qna.yaml", knowledge("untracked"))

    for mode in ("working-tree", "staged"):
        result = diff_taxonomy(repo.root, "main", mode=mode)
        expected = [
            ("compositional_skills/moved/qna.yaml", "added", None, ("content",)),
            ("knowledge/science/mechanics/qna.yaml", "renamed", PHYSICS, ("renamed",)),
        ]
        if mode == "working-tree":  # unstaged and untracked changes
            expected.append((POEMS, "modified", None, ("content",)))
            expected.append(("knowledge/new/qna.yaml", "added", None, ("content",)))
        assert leaves(result) == sorted(expected), mode
    repo.commit()
    # committed: the untracked leaf is now part of HEAD; paths stay taxonomy-relative
    result = diff_taxonomy(repo.root, "main", mode="committed")
    assert [c.path for c in result.leaves] == [
        "compositional_skills/moved/qna.yaml",
        POEMS,
        "knowledge/new/qna.yaml",
        "knowledge/science/mechanics/qna.yaml",
    ]


# --- bases, git states and errors -----------------------------------------------------------


def test_base_any_commitish_and_detached_head(base_repo):
    base_repo.git("tag", "v1")
    base_repo.write(POEMS, skill("x"))
    head = base_repo.commit()
    base_repo.git("checkout", "-q", "--detach", head)
    for base in ("v1", base_repo.sha("main"), base_repo.sha("main")[:10], "main"):
        result = diff_taxonomy(base_repo.root, base, mode="committed")
        assert leaves(result) == [(POEMS, "modified", None, ("content",))], base
        assert result.head == head


def test_default_base_is_main_without_remote(base_repo):
    base_repo.write(POEMS, skill("x"))
    base_repo.commit()
    result = diff_taxonomy(base_repo.root, mode="committed")
    assert result.base == "main"
    assert [c.path for c in result.leaves] == [POEMS]


@pytest.fixture
def cloned(base_repo, make_repo, tmp_path):
    """`upstream` (the base_repo) with main and release; a full clone on a pr branch."""
    base_repo.git("checkout", "-q", "main")
    base_repo.git("branch", "release")
    base_repo.write(PROSE, skill("main moved on"))
    base_repo.commit("main moves")
    clone_dir = tmp_path / "clone"
    base_repo.git("clone", "-q", str(base_repo.top), str(clone_dir))
    clone = Repo(clone_dir)
    clone.git("checkout", "-q", "-b", "feature", "origin/release")
    clone.write(POEMS, skill("feature"))
    clone.commit("feature")
    return clone


def test_default_base_prefers_origin_main_over_local_main(cloned):
    cloned.git("branch", "-f", "main", "HEAD")  # a stale or odd local main must not win
    result = diff_taxonomy(cloned.root, mode="committed")
    assert result.base == "origin/main"
    assert [c.path for c in result.leaves] == [POEMS]


def test_github_base_ref_picks_the_pull_requests_base(cloned, monkeypatch):
    monkeypatch.setenv("GITHUB_BASE_REF", "release")
    result = diff_taxonomy(cloned.root, mode="committed")
    assert result.base == "origin/release"
    assert result.merge_base == cloned.sha("origin/release")
    monkeypatch.setenv("GITHUB_BASE_REF", "gone")
    with pytest.raises(SdgCiError, match=r"base 'origin/gone' not found: fetch it with "
                                         r"`git fetch origin gone`, or pass --fetch"):
        diff_taxonomy(cloned.root, mode="committed")


def test_fetch_brings_a_missing_remote_branch(cloned, base_repo):
    base_repo.git("checkout", "-q", "-b", "late", "main")
    with pytest.raises(SdgCiError, match="not found"):
        diff_taxonomy(cloned.root, "origin/late", mode="committed")
    result = diff_taxonomy(cloned.root, "origin/late", mode="committed", fetch=True)
    assert result.merge_base == base_repo.sha("release")


def test_unknown_base(base_repo):
    with pytest.raises(SdgCiError) as err:
        diff_taxonomy(base_repo.root, "no-such-branch", mode="committed")
    assert str(err.value) == (
        f"base 'no-such-branch' not found: no branch, tag or commit by that name in "
        f"{base_repo.top}; check the name (`git branch -a`), or pass --base empty"
    )


def test_no_default_base(make_repo):
    repo = make_repo()
    repo.git("checkout", "-q", "-b", "trunk")
    repo.write(POEMS, skill())
    repo.commit()
    with pytest.raises(SdgCiError, match=r"no base to compare with: none of origin/main, main, "
                                         r"origin/HEAD exists; pass --base REF"):
        diff_taxonomy(repo.root, mode="committed")


def test_unrelated_histories(base_repo):
    base_repo.git("checkout", "-q", "--orphan", "other")
    base_repo.write(POEMS, skill("orphan"))
    base_repo.commit("orphan root")
    with pytest.raises(SdgCiError, match=r"main and HEAD have no common ancestor: the histories "
                                         r"are unrelated; pass --base"):
        diff_taxonomy(base_repo.root, "main", mode="committed")


def test_repo_without_commits(make_repo):
    repo = make_repo()
    repo.write(POEMS, skill())
    with pytest.raises(SdgCiError, match=r"has no commits yet, so there is nothing to compare "
                                         r"with; commit first, or pass --base empty"):
        diff_taxonomy(repo.root)
    result = diff_taxonomy(repo.root, "empty", mode="working-tree")
    assert leaves(result) == [(POEMS, "added", None, ("content",))]


def test_base_empty_lists_every_leaf_as_added(base_repo):
    base_repo.write("knowledge/history/rome/qna.yml", knowledge("rome"))
    base_repo.commit()
    result = diff_taxonomy(base_repo.root, "empty", mode="committed")
    assert result.base == "empty" and result.merge_base is None
    assert [(c.path, c.status) for c in result.leaves] == [
        (POEMS, "added"), (PROSE, "added"), (PHYSICS, "added")
    ]
    assert leaves(result)[2][3] == ("content", "attribution")
    assert [m.path for m in result.misnamed] == ["knowledge/history/rome/qna.yml"]


def test_not_a_git_repository_means_every_leaf_is_added(tmp_path):
    (tmp_path / "compositional_skills/a").mkdir(parents=True)
    (tmp_path / "compositional_skills/a/qna.yaml").write_text(skill())
    (tmp_path / "knowledge/b").mkdir(parents=True)
    (tmp_path / "knowledge/b/qna.yaml").write_text(knowledge())
    (tmp_path / "knowledge/b/QNA.yml").write_text(knowledge())
    result = diff_taxonomy(tmp_path)
    assert result.mode == "filesystem" and result.base == "empty"
    assert leaves(result) == [
        ("compositional_skills/a/qna.yaml", "added", None, ("content",)),
        ("knowledge/b/qna.yaml", "added", None, ("content",)),
    ]
    assert [m.path for m in result.misnamed] == ["knowledge/b/QNA.yml"]
    assert diff_taxonomy(tmp_path, "empty").leaves == result.leaves
    with pytest.raises(SdgCiError, match="is not in a git repository, so there is no 'main'"):
        diff_taxonomy(tmp_path, "main")
    with pytest.raises(SdgCiError, match="--staged needs one"):
        diff_taxonomy(tmp_path, mode="staged")


def test_option_like_base_is_refused(base_repo):
    with pytest.raises(SdgCiError, match="looks like an option"):
        diff_taxonomy(base_repo.root, "--output=/tmp/x")


def test_changed_leaf_files_excludes_deletions(base_repo):
    base_repo.remove(PROSE)
    base_repo.write(POEMS, skill("x"))
    base_repo.write("knowledge/new/qna.yaml", knowledge())
    assert changed_leaf_files(base_repo.root, "main") == [POEMS, "knowledge/new/qna.yaml"]
