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


# ---- merge keys: read as PyYAML's SafeLoader (the reference) reads them, bounded --------
MERGE_CASES = [
    "base: &base {x: 1, z: 0}\nleaf: {<<: *base, y: 2, x: 3}\n",
    "a: &a {x: 1, k: a}\nb: &b {x: 2, m: b}\nleaf:\n  <<: [*a, *b]\n  y: 1\n",
    "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nleaf: {<<: *b, z: 3}\n",
    "a: &a {x: 1}\nleaf: {<<: {x: 2}, <<: *a}\n",
    "defaults: &d\n  created_by: me\n  version: 3\nleaf:\n  <<: *d\n  seeds: [1, 2]\n",
    "=: 3\n",
]


@pytest.mark.parametrize("text", MERGE_CASES)
def test_merge_keys_read_like_the_reference(text):
    import yaml

    data, marks = load_with_marks(text)
    expected = yaml.safe_load(text)
    assert data == expected
    assert list(data) == list(expected)
    for key in ("leaf",):
        if key in data:
            assert list(data[key]) == list(expected[key])
    assert marks.duplicates == []


def test_merged_values_are_placed_where_they_are_written():
    text = "base: &base\n  created_by: me\nleaf:\n  <<: *base\n  version: 3\n"
    data, marks = load_with_marks(text)
    assert data["leaf"] == {"created_by": "me", "version": 3}
    assert marks.values[".leaf.created_by"] == Mark(2, 15)
    assert marks.values[".leaf.version"] == Mark(5, 12)


def test_a_key_written_twice_beside_a_merge_is_still_a_duplicate():
    data, marks = load_with_marks("a: &a {x: 1}\nleaf: {x: 0, x: 2, <<: *a}\n")
    assert data["leaf"] == {"x": 2}
    assert marks.duplicates == [(".leaf.x", Mark(2, 14))]


@pytest.mark.parametrize(
    "text",
    ["leaf: {<<: 3}\n", "leaf: {<<: [1]}\n", "a: &a [1]\nleaf: {<<: *a}\n"],
)
def test_a_merge_of_something_else_than_mappings_is_a_syntax_error(text):
    with pytest.raises(YamlLoadError) as exc:
        load_with_marks(text)
    assert exc.value.code == "Q001"
    assert "merge key" in exc.value.message


def test_merge_key_bombs_are_refused_at_once():
    lines = ["l0: &l0 {a: lol, b: lol, c: lol, d: lol, e: lol, f: lol, g: lol, h: lol, i: lol}"]
    lines += [f"l{n}: &l{n} {{<<: [{', '.join([f'*l{n - 1}'] * 9)}]}}" for n in range(1, 10)]
    started = time.monotonic()
    with pytest.raises(YamlLoadError) as exc:
        load_with_marks("\n".join(lines) + "\n")
    assert exc.value.code == "Q002"
    assert time.monotonic() - started < 2


def test_merged_alias_bombs_count_what_they_merge():
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [
        f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    lines.append("leaf: {<<: {payload: *i}}")
    with pytest.raises(YamlLoadError) as exc:
        load_with_marks("\n".join(lines) + "\n")
    assert exc.value.code == "Q002"


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a {<<: *a}\n", "a: &a {x: [{y: *a}]}\n"])
def test_a_node_that_contains_itself_is_refused_not_looped_on(text):
    with pytest.raises(YamlLoadError) as exc:
        load_with_marks(text)
    assert exc.value.code == "Q002"
    assert "refers to the node that holds it" in exc.value.message
