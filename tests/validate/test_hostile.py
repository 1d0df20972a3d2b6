"""Hostile input: every file gets an answer (a diagnostic), never a crash or a hang.

The inputs are made at test time in tmp_path: bytes git would mangle, sizes we do not
commit, links and special files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sdg_ci.config import ValidateSettings
from sdg_ci.validate import find_leaves, validate
from sdg_ci.validate import rules as rules_pkg

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "validate" / "taxonomy"
VALID = (FIXTURES / "compositional_skills/valid/freeform/qna.yaml").read_text(encoding="utf-8")
ATTRIBUTION = (FIXTURES / "compositional_skills/valid/freeform/attribution.txt").read_text()


def leaf(root: Path, folder: str, content: bytes | str, name: str = "qna.yaml") -> Path:
    path = root / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / "attribution.txt").write_text(ATTRIBUTION)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def rows(root: Path, path: Path, **kw):
    (result,) = validate([path], root=root, jobs=1, **kw)
    return [
        (d.severity, d.line, d.column, d.code, d.message) for d in result.errors + result.warnings
    ]


def test_non_utf8_bytes_are_placed(tmp_path):
    path = leaf(
        tmp_path,
        "compositional_skills/latin1",
        VALID.replace("fixture-author", "caf\u00e9").encode("latin-1"),
    )
    assert rows(tmp_path, path) == [
        (
            "error",
            3,
            16,
            "Q015",
            "file is not valid UTF-8: byte 0xe9 cannot be decoded; save the file as UTF-8",
        )
    ]


def test_a_utf8_bom_is_accepted(tmp_path):
    path = leaf(tmp_path, "compositional_skills/bom", b"\xef\xbb\xbf" + VALID.encode())
    assert rows(tmp_path, path) == []


def test_crlf_is_a_warning_and_lint_lines_stay_right(tmp_path):
    text = VALID.replace("in 3 metres.\n", "in 3 metres.  \n").replace("\n", "\r\n")
    path = leaf(tmp_path, "compositional_skills/crlf", text)
    assert rows(tmp_path, path) == [
        ("error", 6, 51, "Q200", "trailing spaces (trailing-spaces)"),
        (
            "warning",
            1,
            1,
            "Q315",
            "the file has Windows (CRLF) line endings; save it with Unix (LF) line endings",
        ),
    ]


def test_a_tab_inside_a_block_scalar_is_fine(tmp_path):
    text = VALID.replace(
        "    answer: There are 240 minutes in 4 hours.",
        "    answer: |\n      minutes:\t240\n      hours:\t4",
    )
    assert rows(tmp_path, leaf(tmp_path, "compositional_skills/tab_text", text)) == []


def test_a_tab_after_a_block_scalars_indentation_is_read_as_the_reference_reads_it(tmp_path):
    # libyaml refuses this, PyYAML (the reference's parser) reads it: we read it too
    text = VALID.replace(
        "    answer: There are 240 minutes in 4 hours.",
        "    answer: |\n      \tThere are 240 minutes in 4 hours.  ",
    )
    path = leaf(tmp_path, "compositional_skills/tab_block", text)
    assert rows(tmp_path, path) == [("error", 11, 41, "Q200", "trailing spaces (trailing-spaces)")]


def test_billion_laughs_is_answered_at_once(tmp_path):
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        levels.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    path = leaf(tmp_path, "compositional_skills/bomb", "\n".join(levels) + "\n")
    start = time.perf_counter()
    found = rows(tmp_path, path)
    assert time.perf_counter() - start < 2
    assert [r[3] for r in found] == ["Q002"]


def test_deep_block_nesting_is_refused(tmp_path):
    text = "".join(f"{' ' * i}k{i}:\n" for i in range(300)) + " " * 300 + "v\n"
    (found,) = rows(tmp_path, leaf(tmp_path, "compositional_skills/deep", text))
    assert found[3] == "Q003"
    assert found[4] == "YAML nesting is deeper than 200 levels"


def test_deep_flow_nesting_is_refused(tmp_path):
    text = "answer: " + "[" * 100_000 + "]" * 100_000 + "\n"
    (found,) = rows(tmp_path, leaf(tmp_path, "compositional_skills/flow", text))
    assert found[3] == "Q001"
    assert "exceeded maximum nesting depth" in found[4]


def test_a_50_mb_file_is_refused_without_being_read(tmp_path):
    line = "# " + "x" * 98 + "\n"
    path = leaf(tmp_path, "knowledge/huge", line * (50 * 1024 * 1024 // len(line)))
    size = path.stat().st_size
    start = time.perf_counter()
    assert rows(tmp_path, path) == [
        (
            "error",
            1,
            1,
            "Q012",
            f"file is {size:,} bytes, over the 1,048,576-byte limit; a qna.yaml holds seeds, "
            "not whole documents",
        )
    ]
    assert time.perf_counter() - start < 1


def test_the_size_limit_is_a_setting(tmp_path):
    path = leaf(tmp_path, "compositional_skills/small_limit", VALID)
    settings = ValidateSettings(max_file_bytes=100)
    assert [r[3] for r in rows(tmp_path, path, settings=settings)] == ["Q012"]


@pytest.mark.parametrize(
    "content",
    [
        b"version: 3\x00\x00\x00",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "version: 3".encode("utf-16"),
    ],
    ids=["nul", "png", "utf-16"],
)
def test_binary_content_is_refused(tmp_path, content):
    path = leaf(tmp_path, "compositional_skills/binary", content)
    assert rows(tmp_path, path) == [
        ("error", 1, 1, "Q014", "file contains NUL bytes: it is binary, not YAML text")
    ]


def test_a_symlink_out_of_the_taxonomy_is_refused(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(VALID)
    root = tmp_path / "taxonomy"
    link = root / "compositional_skills/link/qna.yaml"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    assert rows(root, link) == [
        (
            "error",
            1,
            1,
            "Q010",
            f"symlink points outside the taxonomy (to {outside.resolve()}); refusing to read it",
        )
    ]


def test_a_symlinked_folder_out_of_the_taxonomy_is_refused(tmp_path):
    outside = tmp_path / "elsewhere"
    (outside / "leaf").mkdir(parents=True)
    (outside / "leaf" / "qna.yaml").write_text(VALID)
    root = tmp_path / "taxonomy"
    (root / "compositional_skills").mkdir(parents=True)
    (root / "compositional_skills" / "linked").symlink_to(outside)
    path = root / "compositional_skills/linked/leaf/qna.yaml"
    assert [r[3] for r in rows(root, path)] == ["Q010"]


def test_a_symlink_inside_the_taxonomy_is_followed(tmp_path):
    real = leaf(tmp_path, "compositional_skills/real", VALID)
    link = tmp_path / "compositional_skills/alias/qna.yaml"
    link.parent.mkdir(parents=True)
    (link.parent / "attribution.txt").write_text(ATTRIBUTION)
    link.symlink_to(real)
    assert rows(tmp_path, link) == []


def test_a_dangling_symlink_is_unreadable(tmp_path):
    link = tmp_path / "compositional_skills/dangling/qna.yaml"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "compositional_skills/dangling/gone.yaml")
    assert find_leaves(tmp_path) == ["compositional_skills/dangling/qna.yaml"]
    assert rows(tmp_path, link) == [
        ("error", 1, 1, "Q013", "cannot read file: No such file or directory")
    ]


def test_a_directory_named_qna_yaml_is_reported(tmp_path):
    folder = tmp_path / "knowledge/odd/qna.yaml"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("hello")
    assert find_leaves(tmp_path) == ["knowledge/odd/qna.yaml"]
    assert rows(tmp_path, folder) == [
        ("error", 1, 1, "Q011", "qna.yaml is a directory, not a file")
    ]


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "compositional_skills/fifo/qna.yaml"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    # in a child process with a timeout: a blocking read would hang the test run otherwise
    proc = subprocess.run(
        [sys.executable, "-m", "sdg_ci", "-C", str(tmp_path), "validate", "--format", "text"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert (
        "qna.yaml:1:1: error Q011 qna.yaml is not a regular file (a FIFO, socket or device)"
        in proc.stdout
    )


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root reads files whatever their mode; the unreadable case is covered by the "
    "dangling symlink test (same Q013 path)",
)
def test_an_unreadable_file_is_reported(tmp_path):
    path = leaf(tmp_path, "compositional_skills/secret", VALID)
    path.chmod(0)
    try:
        assert rows(tmp_path, path) == [
            ("error", 1, 1, "Q013", "cannot read file: Permission denied")
        ]
    finally:
        path.chmod(0o644)


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    good = leaf(tmp_path, "compositional_skills/good", VALID)
    binary = leaf(tmp_path, "compositional_skills/binary", b"\x00\x01")
    broken = leaf(tmp_path, "compositional_skills/broken", "a: [\n")
    latin = leaf(tmp_path, "compositional_skills/latin", b"a: caf\xe9\n")
    results = validate([binary, broken, good, latin], root=tmp_path, jobs=1)
    assert [r.path.split("/")[1] for r in results] == ["binary", "broken", "good", "latin"]
    assert [r.valid for r in results] == [False, False, True, False]
    assert [r.errors[0].code for r in results if r.errors] == ["Q014", "Q001", "Q015"]


def test_a_crashing_rule_becomes_an_internal_error_on_that_file_only(tmp_path, monkeypatch):
    good = leaf(tmp_path, "compositional_skills/good", VALID)
    bad = leaf(tmp_path, "compositional_skills/bad", VALID.replace("fixture-author", "boom"))
    rule = rules_pkg.BY_CODE["Q314"]

    def explode(ctx):
        if ctx.mapping and ctx.mapping.get("created_by") == "boom":
            raise RuntimeError("kaboom")
        return iter(())

    patched = [
        r if r is not rule else rule.__class__(**{**rule.__dict__, "check": explode})
        for r in rules_pkg.RULES
    ]
    monkeypatch.setattr("sdg_ci.validate.engine.RULES", patched)
    results = validate([bad, good], root=tmp_path, jobs=1)
    assert [(d.code, d.message) for d in results[0].errors] == [
        (
            "Q000",
            "sdg-ci failed while checking this file: RuntimeError: kaboom (a bug in sdg-ci; "
            "please report it with this file)",
        )
    ]
    assert results[1].valid and not results[1].warnings


def test_many_seed_examples_under_the_limit_finish_quickly(tmp_path):
    seeds = "".join(
        f"  - question: How many metres are in {i} kilometres?\n"
        f"    answer: There are {i * 1000} metres in {i} kilometres.\n"
        for i in range(1, 3000)
    )
    text = VALID.split("seed_examples:\n")[0] + "seed_examples:\n" + seeds
    path = leaf(tmp_path, "compositional_skills/many", text)
    assert path.stat().st_size < 1024 * 1024
    start = time.perf_counter()
    found = rows(tmp_path, path)
    assert time.perf_counter() - start < 20
    assert [r[3] for r in found] == ["Q307"]  # 2,999 seeds: far more words than a prompt holds


# ---- paths that cannot be followed to a file: their own code, never "a bug in sdg-ci" ----
def _self_loop(root: Path) -> Path:
    link = root / "compositional_skills/loop/qna.yaml"
    link.parent.mkdir(parents=True)
    link.symlink_to("qna.yaml")
    return link


def _two_link_loop(root: Path) -> Path:
    folder = root / "compositional_skills/pingpong"
    folder.mkdir(parents=True)
    (folder / "other.yaml").symlink_to("qna.yaml")
    (folder / "qna.yaml").symlink_to("other.yaml")
    return folder / "qna.yaml"


def _folder_loop(root: Path) -> Path:
    (root / "compositional_skills").mkdir(parents=True)
    (root / "compositional_skills/round").symlink_to("round")
    return root / "compositional_skills/round/qna.yaml"


def _name_too_long(root: Path) -> Path:
    (root / "compositional_skills").mkdir(parents=True)
    return root / "compositional_skills" / ("x" * 300) / "qna.yaml"


@pytest.mark.parametrize("make", [_self_loop, _two_link_loop, _folder_loop, _name_too_long])
def test_a_path_that_leads_to_no_file_has_its_own_code(tmp_path, make):
    path = make(tmp_path)
    (found,) = rows(tmp_path, path)
    assert found[:4] == ("error", 1, 1, "Q016")
    assert found[4].startswith("cannot follow the path to a file: ")


def test_a_symlink_loop_does_not_stop_the_others(tmp_path):
    good = leaf(tmp_path, "compositional_skills/good", VALID)
    loop = _self_loop(tmp_path)
    assert find_leaves(tmp_path) == [
        "compositional_skills/good/qna.yaml",
        "compositional_skills/loop/qna.yaml",
    ]
    results = validate([good, loop], root=tmp_path, jobs=1)
    assert [r.valid for r in results] == [True, False]
    assert [d.code for d in results[1].errors] == ["Q016"]
    proc = subprocess.run(
        [sys.executable, "-m", "sdg_ci", "-C", str(tmp_path), "validate", "--format", "text"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Q000" not in proc.stdout
    assert "compositional_skills/loop/qna.yaml:1:1: error Q016" in proc.stdout


def test_every_os_error_while_reading_is_a_file_problem(tmp_path, monkeypatch):
    import errno

    path = leaf(tmp_path, "compositional_skills/io", VALID)
    codes = {}
    for number in (errno.EIO, errno.EACCES, errno.EISDIR, errno.ELOOP, errno.ENAMETOOLONG):

        def fail(self, number=number):
            raise OSError(number, os.strerror(number))

        monkeypatch.setattr(Path, "read_bytes", fail)
        (result,) = rows(tmp_path, path)
        codes[errno.errorcode[number]] = result[3]
    assert codes == {
        "EIO": "Q013",
        "EACCES": "Q013",
        "EISDIR": "Q011",
        "ELOOP": "Q016",
        "ENAMETOOLONG": "Q016",
    }
