"""yamllint in process: the fast path reports exactly what yamllint itself reports.

`sdg_ci.validate.lint` skips yamllint's second (syntax-only) parse and feeds its rules
tokens from libyaml; these tests hold it to yamllint's own `linter.run` on every fixture,
on a few configurations, and on the shared real-world corpus when it is present.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from yamllint import linter
from yamllint.config import YamlLintConfig

from sdg_ci.taxonomy.yamlnodes import YamlLoadError, load_with_marks
from sdg_ci.validate import lint

HERE = Path(__file__).resolve()
FIXTURES = HERE.parents[1] / "fixtures" / "validate" / "taxonomy"
CORPUS = HERE.parents[3] / "shared" / "corpus"

CONFIGS = {
    "default": lint.DEFAULT_CONFIG,
    "strict": "extends: default",
    "comments": "extends: relaxed\nrules:\n  comments: enable\n  truthy: enable\n"
    "  quoted-strings: enable\n  document-start: enable\n",
}

SAMPLES = {
    "flow": "a: {b: 1,c: [1,2 ,3]}\nd: [ x, y ]\n",
    "comments": "# top\nkey: value  # trailing\n#bad comment\nlist:\n- a\n  # indented\n- b\n",
    "anchors": "base: &b {x: 1}\nother: *b\nunused: &u 2\n",
    "block": "text: |\n  line one\n  line two\n\n\n\nfolded: >-\n  a\n  b\n",
    "unicode": "emoji: \U0001f600 caf\u00e9 \u65e5\u672c\u8a9e  \nnext: [\u00e9, \U0001f600]\n",
    "disable": "# yamllint disable rule:trailing-spaces\na: 1   \n# yamllint enable\nb: 2   \n",
    "line": "a: 1  # yamllint disable-line rule:trailing-spaces   \nb: 2\n",
    "documents": "---\na: 1\n...\n",
    "truthy": "a: yes\nb: on\nc: 'quoted'\n",
    "no_newline": "a: 1",
    "prose_commas": 'a: one, two ,three\nb: "x , y"\n',
    "star_in_text": "patterns:\n  - '*.md'\n  - docs/*.pdf\n",
    "empty_flow": "a: {}\nb: []\nc: { }\nd: [ ]\n",
    "tab_in_block_scalar": "a: |\n      \tindented by a tab after the spaces\nb: 2   \n",
    "no_newline_nested": "a:\n  b:\n    - c\n    - d",
    "no_newline_comment": "a:\n  - b\n# end",
    "directives": "%YAML 1.2\n---\na: !!str 1\n? complex\n: value\nb: &x [1, {c: d}]\ne: *x\n...\n",
    "tags": "%TAG ! tag:example.com,2000:\n--- !foo\nbar: !local baz\n? [k]\n: v\n",
}


def expected(text: str, config: YamlLintConfig) -> list[tuple]:
    text = lint.normalise_newlines(text)
    return [(p.line, p.column, p.rule, p.desc, p.level) for p in linter.run(text, config)]


def actual(text: str, config: YamlLintConfig) -> list[tuple]:
    return [(p.line, p.column, p.rule, p.desc, p.level) for p in lint.lint(text, config, "x.yaml")]


def _text(path: Path) -> str:
    """As the loader hands it over: decoded, without a byte-order mark."""
    return path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")


def texts():
    found = dict(SAMPLES)
    for path in sorted(FIXTURES.rglob("*.y*ml")):
        if path.is_file():
            found[str(path.relative_to(FIXTURES))] = _text(path)
    if CORPUS.is_dir():
        for path in sorted(CORPUS.rglob("*.y*ml")):
            if path.is_file() and path.stat().st_size < 1024 * 1024:
                found[f"corpus/{path.relative_to(CORPUS)}"] = _text(path)
    return found


def _parses(text: str) -> bool:
    """As the loader decides (libyaml, confirmed by PyYAML when libyaml refuses)."""
    try:
        load_with_marks(text)
        return True
    except YamlLoadError:
        return False


@pytest.mark.parametrize("config_name", sorted(CONFIGS))
def test_fast_path_matches_yamllint(config_name):
    config = YamlLintConfig(CONFIGS[config_name])
    config.rules["key-duplicates"] = False  # as lint.load_config: duplicates are Q005
    checked = 0
    for name, text in texts().items():
        if not _parses(text):
            continue  # syntax errors are ours (Q001); lint only sees parsable files
        assert actual(text, config) == expected(text, config), name
        checked += 1
    assert checked > 40


def test_rules_with_nothing_to_look_at_are_left_out():
    config = YamlLintConfig("extends: default")
    plain = lint._without_idle_rules(config, "a: one, two\n")
    assert {r for r in ("braces", "brackets", "commas", "anchors") if plain.rules[r] is False} == {
        "braces",
        "brackets",
        "commas",
        "anchors",
    }
    assert config.rules["braces"] is not False  # the shared configuration is untouched
    flow = lint._without_idle_rules(config, "a: [1, 2]\n")
    assert flow.rules["brackets"] is not False and flow.rules["commas"] is not False
    assert flow.rules["braces"] is False
    assert lint._without_idle_rules(config, "a: &x 1\nb: *x {c}[d]\n") is config


def test_pure_path_switch(monkeypatch):
    config = lint.load_config(FIXTURES)
    text = SAMPLES["flow"]
    monkeypatch.setenv("SDG_CI_PURE_YAMLLINT", "1")
    assert not lint._fast_path_available()
    assert actual(text, config) == expected(text, config)
    monkeypatch.delenv("SDG_CI_PURE_YAMLLINT")
    assert lint._fast_path_available()


def test_the_patch_is_undone_after_linting():
    from yamllint import parser

    original = parser.token_or_comment_generator
    lint.lint(SAMPLES["flow"], lint.load_config(FIXTURES), "x.yaml")
    assert parser.token_or_comment_generator is original


def test_default_configuration_is_the_references(tmp_path):
    config = lint.load_config(tmp_path)
    assert config.rules["line-length"] is False
    assert config.rules["key-duplicates"] is False
    assert config.rules["trailing-spaces"]["level"] == "error"
    assert config.rules["indentation"]["level"] == "warning"


@pytest.mark.parametrize("name", lint.CONFIG_NAMES)
def test_a_config_file_at_the_root_is_used(tmp_path, name):
    (tmp_path / name).write_text("extends: relaxed\nrules:\n  trailing-spaces: disable\n")
    config = lint.load_config(tmp_path)
    assert config.rules["trailing-spaces"] is False
    assert lint.lint("a: 1   \n", config, "qna.yaml") == []


def test_yamllint_ignore_patterns_and_disable_file(tmp_path):
    (tmp_path / ".yamllint").write_text("extends: relaxed\nignore: |\n  knowledge/old/\n")
    config = lint.load_config(tmp_path)
    assert lint.lint("a: 1   \n", config, "knowledge/old/qna.yaml") == []
    assert len(lint.lint("a: 1   \n", config, "knowledge/new/qna.yaml")) == 1
    assert lint.lint("# yamllint disable-file\na: 1   \n", config, "x.yaml") == []


def test_crlf_is_linted_like_the_reference_reads_it():
    config = lint.load_config(FIXTURES)
    assert lint.lint("a: 1\r\nb: 2\r\n", config, "x.yaml") == []
    (problem,) = lint.lint("a: 1  \r\nb: 2\r\n", config, "x.yaml")
    assert (problem.line, problem.column, problem.rule) == (1, 5, "trailing-spaces")
