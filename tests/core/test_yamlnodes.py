"""The YAML loader: values, marks for every node, and hostile input answered, not obeyed."""

import time

import pytest

from sdg_ci.taxonomy.yamlnodes import (
    MAX_DEPTH,
    Mark,
    YamlLoadError,
    child_path,
    load_with_marks,
    parent_path,
)


def test_values_and_marks_by_yaml_path():
    text = "version: 3\nseed_examples:\n  - question: Why?\n    answer: |\n      Because.\n"
    data, marks = load_with_marks(text)
    assert data == {"version": 3, "seed_examples": [{"question": "Why?", "answer": "Because.\n"}]}
    assert marks.values[".version"] == Mark(1, 10)
    assert marks.values[".seed_examples[0]"] == Mark(3, 5)
    assert marks.values[".seed_examples[0].question"] == Mark(3, 15)
    assert marks.keys[".seed_examples[0].answer"] == Mark(4, 5)


def test_missing_path_falls_back_to_nearest_ancestor():
    _, marks = load_with_marks("a:\n  b:\n    - 1\n")
    assert marks.at(".a.b[0].nothing.here") == marks.values[".a.b[0]"]
    assert marks.at(".zzz") == Mark(1, 1)


def test_duplicate_keys_are_recorded_with_the_second_place():
    data, marks = load_with_marks("domain: a\ncreated_by: me\ndomain: b\n")
    assert data["domain"] == "b"
    assert marks.duplicates == [(".domain", Mark(3, 1))]


def test_empty_and_comment_only_documents_load_as_none():
    assert load_with_marks("")[0] is None
    assert load_with_marks("# only a comment\n")[0] is None


def test_syntax_error_gives_text_line_and_column():
    with pytest.raises(YamlLoadError) as info:
        load_with_marks("a: [1, 2\nb: 3\n")
    err = info.value
    assert err.message.startswith("YAML syntax error: while parsing a flow sequence")
    assert (err.line, err.column, err.code) == (2, 2, "Q001")


def test_billion_laughs_is_refused_at_once():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(8):
        prev, name = chr(97 + i), chr(98 + i)
        lines.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    start = time.process_time()
    with pytest.raises(YamlLoadError) as info:
        load_with_marks("\n".join(lines))
    assert time.process_time() - start < 5  # a bound against hanging, not a speed goal
    assert info.value.code == "Q002"
    assert "billion laughs" in info.value.message


def test_small_aliases_still_work():
    data, _ = load_with_marks("base: &b {x: 1}\nother: *b\n")
    assert data == {"base": {"x": 1}, "other": {"x": 1}}


def test_deep_block_nesting_is_bounded():
    depth = MAX_DEPTH + 5
    text = "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"
    with pytest.raises(YamlLoadError) as info:
        load_with_marks(text)
    assert info.value.code == "Q003"


def test_deep_flow_nesting_is_refused_by_the_parser():
    with pytest.raises(YamlLoadError):
        load_with_marks("a: " + "[" * 100_000 + "]" * 100_000)


def test_yaml_path_helpers():
    assert child_path(".a", 3) == ".a[3]"
    assert child_path("", "a") == ".a"
    assert parent_path(".a.b[3]") == ".a.b"
    assert parent_path(".a") == ""
