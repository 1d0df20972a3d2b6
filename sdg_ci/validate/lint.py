"""yamllint, in process, through its Python API.

The reference runs one `yamllint` subprocess per file and silently skips linting when the
binary is missing. We call yamllint's linter directly with the same default configuration
(`relaxed` with `line-length` disabled); a `.yamllint`, `.yamllint.yaml` or `.yamllint.yml`
at the taxonomy root replaces it, as it would for yamllint itself.

Line endings are normalised to `\\n` first, as the reference's text-mode read does, so CRLF
files lint the same as in the taxonomy CI (Q315 tells about CRLF instead).

These keep it fast without changing what it reports:
- the file has already been parsed (by libyaml) before linting, so yamllint's own second
  parse, which only looks for syntax errors, is skipped: we report syntax errors ourselves
  (Q001) and lint only files that parse;
- yamllint's rules are fed tokens from libyaml's scanner (C) instead of PyYAML's pure-Python
  scanner: the same token classes and positions, with marks carrying the buffer the rules
  read. `tests/validate/test_lint.py` checks that this gives exactly yamllint's own
  problems on every file of the corpus and of our fixtures; SDG_CI_PURE_YAMLLINT=1 turns
  it off;
- the configuration is parsed once per taxonomy, and rules that can only report on
  characters the file does not contain (`{`, `[`, `&`, `*`), or on patterns it does not
  contain given their options (two blanks after a colon, a blank at a line end, blank
  lines at the ends, ...), are left out for it;
- a file without yamllint directive comments (no word `yamllint`) runs the same rules in
  our own loop, which skips yamllint's per-line directive bookkeeping.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path

import yaml
from yaml.error import Mark

try:  # libyaml's mark class: the same attributes, built in C (the rules only read them)
    from yaml._yaml import Mark as _FastMark
except ImportError:  # pragma: no cover - no libyaml: the fast path is off anyway
    _FastMark = Mark
from yamllint import linter
from yamllint import parser as yamllint_parser
from yamllint.config import YamlLintConfig, YamlLintConfigError

from sdg_ci.errors import SdgCiError

DEFAULT_CONFIG = "{extends: relaxed, rules: {line-length: disable}}"
CONFIG_NAMES = (".yamllint", ".yamllint.yaml", ".yamllint.yml")
_DISABLE_FILE = re.compile(r"^#\s*yamllint disable-file\s*$")


def config_file(root: Path) -> Path | None:
    for name in CONFIG_NAMES:
        if (root / name).is_file():
            return root / name
    return None


def load_config(root: Path) -> YamlLintConfig:
    """The yamllint configuration for the taxonomy at `root`."""
    file = config_file(root)
    if file is None:
        return _default_config()
    try:
        stamp = file.stat().st_mtime_ns
    except OSError:  # pragma: no cover - vanished between the two calls
        stamp = 0
    return _file_config(str(file), stamp)


def _without_key_duplicates(config: YamlLintConfig) -> YamlLintConfig:
    # the loader reports duplicate keys (Q005) whatever yamllint's configuration says, so
    # yamllint's own `key-duplicates` would only repeat it (and costs a pass over tokens)
    config.rules["key-duplicates"] = False
    return config


@functools.lru_cache(maxsize=1)
def _default_config() -> YamlLintConfig:
    return _without_key_duplicates(YamlLintConfig(DEFAULT_CONFIG))


@functools.lru_cache(maxsize=8)
def _file_config(path: str, _stamp: int) -> YamlLintConfig:
    try:
        text = Path(path).read_text(encoding="utf-8")
        return _without_key_duplicates(YamlLintConfig(text))
    except (OSError, UnicodeDecodeError, YamlLintConfigError) as exc:
        raise SdgCiError(f"{path}: invalid yamllint configuration: {_reason(exc)}") from exc


def _reason(exc: Exception) -> str:
    # yamllint wraps a YAML syntax error in the file with PyYAML's multi-line text; the
    # CLI's errors are one line, so say the problem and where it is
    cause = exc.__context__
    if isinstance(cause, yaml.MarkedYAMLError) and cause.problem_mark is not None:
        mark = cause.problem_mark
        return f"YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: " + (
            f"{cause.context}, {cause.problem}" if cause.context else str(cause.problem)
        )
    return " ".join(str(exc).removeprefix("invalid config: ").split())


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def lint(text: str, config: YamlLintConfig, rel_path: str) -> list[linter.LintProblem]:
    """yamllint's problems for a text that is known to parse as YAML."""
    if config.is_file_ignored(rel_path):
        return []
    text = normalise_newlines(text)
    first_line = text.split("\n", 1)[0]
    if _DISABLE_FILE.match(first_line):
        return []
    config = _without_idle_rules(config, text, _silent_rules(config, text))
    try:
        if "yamllint" not in text and _fast_path_available():
            return _cosmetic_problems(text, config, rel_path)
        with _libyaml_tokens():
            return list(linter.get_cosmetic_problems(text, config, rel_path))
    except _LibyamlRefused:  # a document only PyYAML reads: lint it with PyYAML's scanner
        return list(linter.get_cosmetic_problems(text, config, rel_path))


def _cosmetic_problems(text: str, config: YamlLintConfig, rel_path: str) -> list:
    """What `linter.get_cosmetic_problems` gives for a text without yamllint directives.

    yamllint's loop runs every rule over a stream of tokens, comments and lines, and hands
    out the problems found so far at each line's end, less those that `# yamllint disable`
    comments turn off. Without the word `yamllint` in the text there is no such comment,
    so this loop calls the same rules in the same order over the same tokens (libyaml's),
    and hands the problems out at the same points, without the per-line bookkeeping for
    directives; comments are only looked for when a comment rule is enabled, lines only
    when a line rule is. `tests/validate/test_lint.py` holds it to yamllint's `linter.run`.
    """
    tokens = _libyaml_tokens_of(text)
    token_rules, comment_rules, line_rules = [], [], []
    for rule in config.enabled_rules(rel_path):
        conf = config.rules[rule.ID]
        if rule.TYPE == "token":
            token_rules.append((rule.ID, rule.check, conf, conf["level"], {}))
        elif rule.TYPE == "comment":
            comment_rules.append((rule.ID, rule.check, conf, conf["level"]))
        elif rule.TYPE == "line":
            line_rules.append((rule.ID, rule.check, conf, conf["level"]))
    lines = list(yamllint_parser.line_generator(text)) if line_rules else []
    last_line = text.count("\n") + 1  # the lines yamllint's line_generator gives
    problems: list = []
    pending: list = []  # found, handed out at the end of the line being read
    at_line = 1  # the line being read

    def read_up_to(line_no: int) -> None:
        """Finish every line before `line_no`: its line rules, then hand out."""
        nonlocal at_line
        while at_line < line_no and at_line <= last_line:
            if line_rules:
                line = lines[at_line - 1]
                for rule_id, check, conf, level in line_rules:
                    for problem in check(conf, line):
                        problem.rule, problem.level = rule_id, level
                        pending.append(problem)
            problems.extend(pending)
            pending.clear()
            at_line += 1

    comments_between = yamllint_parser.comments_between_tokens if comment_rules else None
    count = len(tokens)
    prev = None
    for i, curr in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < count else None
        nextnext = tokens[i + 2] if i + 2 < count else None
        line_no = curr.start_mark.line + 1
        if line_no > at_line:
            read_up_to(line_no)
        if at_line > last_line:
            break  # past the last line nothing is handed out any more
        for rule_id, check, conf, level, context in token_rules:
            for problem in check(conf, curr, prev, nxt, nextnext, context):
                problem.rule, problem.level = rule_id, level
                pending.append(problem)
        if comments_between is not None:
            for comment in comments_between(curr, nxt):
                if comment.line_no > at_line:
                    read_up_to(comment.line_no)
                if at_line > last_line:
                    break
                for rule_id, check, conf, level in comment_rules:
                    for problem in check(conf, comment):
                        problem.rule, problem.level = rule_id, level
                        pending.append(problem)
        prev = curr
    read_up_to(last_line + 1)
    return problems


# yamllint rules that report only on tokens made from one of these characters (flow
# mappings `{`, flow sequences `[`, flow entries, which exist only inside those, anchors
# `&` and aliases `*`): a text without any of them gives such a rule nothing to look at,
# so it is left out (it costs a call per token).
_TOKEN_CHARACTERS = {"braces": "{", "brackets": "[", "commas": "[{", "anchors": "&*"}


def _without_idle_rules(
    config: YamlLintConfig, text: str, also: frozenset[str] = frozenset()
) -> YamlLintConfig:
    idle = also | frozenset(
        rule
        for rule, characters in _TOKEN_CHARACTERS.items()
        if config.rules.get(rule, False) is not False and not any(c in text for c in characters)
    )
    return _config_without(config, idle) if idle else config


# Rules whose every report needs a pattern in the text, given their options: without the
# pattern the rule is silent, so it is left out (the common, clean file then skips a call
# per token or per line). Between two tokens on one line there is only blank space (spaces,
# tabs: a comment ends the line), so a gap of more than N characters is N+1 blanks in a
# row. The text has `\n` line endings here (normalised first).
def _blanks(maximum: object) -> int | None:
    """A rule's `max-spaces-*` option as the number of blanks that make a report."""
    if not isinstance(maximum, int) or isinstance(maximum, bool) or maximum < -1:
        raise _NotSure
    return None if maximum == -1 else maximum + 1


def _has_run(text: str, characters: str, blanks: int, *, before: bool = False) -> bool:
    """Whether `text` has one of `characters` followed (or preceded) by `blanks` blanks."""
    if blanks <= 2:  # a few substring searches are much faster than a regex here
        runs = _BLANK_RUNS[blanks]
        return any((r + c if before else c + r) in text for c in characters for r in runs)
    chars = f"[{re.escape(characters)}]"
    run = f"[ \t]{{{blanks}}}"
    return _compiled(run + chars if before else chars + run).search(text) is not None


_BLANK_RUNS = {0: ("",), 1: (" ", "\t"), 2: ("  ", " \t", "\t ", "\t\t")}


@functools.lru_cache(maxsize=32)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


class _NotSure(Exception):
    """Options this module does not know how to read: the rule is kept."""


def _colons_silent(conf: dict, text: str) -> bool:
    before = _blanks(conf["max-spaces-before"])
    after = _blanks(conf["max-spaces-after"])
    if before is not None and _has_run(text, ":", before, before=True):
        return False
    # `?`: the spaces after an explicit key's question mark
    return after is None or not _has_run(text, ":?", after)


def _hyphens_silent(conf: dict, text: str) -> bool:
    after = _blanks(conf["max-spaces-after"])
    return after is None or not _has_run(text, "-", after)


def _trailing_spaces_silent(conf: dict, text: str) -> bool:
    # a report needs a line whose last character is blank
    return not (
        text.endswith((" ", "\t", "\x0b", "\x0c")) or any(c + "\n" in text for c in " \t\x0b\x0c")
    )


def _empty_lines_silent(conf: dict, text: str) -> bool:
    # a report needs a blank line at the start or the end, or more than `max` in a row
    # (k blank lines in a row are k+1 line breaks)
    maximum = conf["max"]
    if not isinstance(maximum, int) or isinstance(maximum, bool) or maximum < 0:
        raise _NotSure
    return not (text.startswith("\n") or text.endswith("\n\n") or "\n" * (maximum + 2) in text)


def _new_lines_silent(conf: dict, text: str) -> bool:
    # only the first line's break is looked at, and every break is `\n` here
    return conf["type"] == "unix" or (conf["type"] == "platform" and os.linesep == "\n")


def _new_line_at_end_of_file_silent(conf: dict, text: str) -> bool:
    return text == "" or text.endswith("\n")


_SILENT_WHEN = {
    "colons": _colons_silent,
    "hyphens": _hyphens_silent,
    "trailing-spaces": _trailing_spaces_silent,
    "empty-lines": _empty_lines_silent,
    "new-lines": _new_lines_silent,
    "new-line-at-end-of-file": _new_line_at_end_of_file_silent,
}


def _silent_rules(config: YamlLintConfig, text: str) -> frozenset[str]:
    """The enabled rules of `_SILENT_WHEN` that cannot report anything on `text`."""
    if "\r" in text:  # not normalised: keep everything
        return frozenset()
    silent = []
    for rule, is_silent in _SILENT_WHEN.items():
        conf = config.rules.get(rule, False)
        if conf is False or not isinstance(conf, dict):
            continue
        try:
            if is_silent(conf, text):
                silent.append(rule)
        except (_NotSure, KeyError):
            continue
    return frozenset(silent)


@functools.lru_cache(maxsize=64)
def _config_without(config: YamlLintConfig, rules: frozenset[str]) -> YamlLintConfig:
    variant = copy.copy(config)
    variant.rules = {**config.rules, **dict.fromkeys(rules, False)}
    return variant


class _LibyamlRefused(Exception):
    pass


def _fast_path_available() -> bool:
    return (
        hasattr(yaml, "CBaseLoader")
        and callable(getattr(yamllint_parser, "token_or_comment_generator", None))
        and callable(getattr(yamllint_parser, "comments_between_tokens", None))
        and os.environ.get("SDG_CI_PURE_YAMLLINT", "") in ("", "0")
    )


@contextlib.contextmanager
def _libyaml_tokens() -> Iterator[None]:
    """While linting, yamllint reads its tokens from `_token_or_comment_generator`."""
    if not _fast_path_available():
        yield
        return
    original = yamllint_parser.token_or_comment_generator
    yamllint_parser.token_or_comment_generator = _token_or_comment_generator
    try:
        yield
    finally:
        yamllint_parser.token_or_comment_generator = original


def _token_or_comment_generator(buffer: str):
    """yamllint's `token_or_comment_generator`, with libyaml's scanner producing the tokens.

    libyaml's tokens are PyYAML's, with three differences made good here: their marks carry
    no buffer (yamllint's rules slice `mark.buffer[mark.pointer]`, so each token gets PyYAML
    marks over the buffer PyYAML's reader would hold: the text plus a final NUL), a plain
    scalar's style is '' rather than None, and in a file without a final newline the
    closing tokens sit at the start of a line past the end rather than at the end of the
    last line.

    The whole text is scanned first (a scanner error means the file is linted with PyYAML's
    scanner instead, before anything was yielded); tokens at the same place share one mark
    (rules only read marks); comments are looked for only when the text has a `#`.
    """
    tokens = _libyaml_tokens_of(buffer)
    token_class = yamllint_parser.Token
    comments_between = yamllint_parser.comments_between_tokens if "#" in buffer else None
    count = len(tokens)
    prev = None
    for i, curr in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < count else None
        nextnext = tokens[i + 2] if i + 2 < count else None
        yield token_class(curr.start_mark.line + 1, curr, prev, nxt, nextnext)
        if comments_between is not None:
            yield from comments_between(curr, nxt)
        prev = curr


def _libyaml_tokens_of(buffer: str) -> list:
    """Every token of `buffer` from libyaml's scanner, with PyYAML marks and styles."""
    loader = yaml.CBaseLoader(buffer)
    padded = buffer + "\0"
    name = "<unicode string>"
    end = len(buffer)
    marks: dict[int, Mark] = {
        end: _FastMark(name, end, buffer.count("\n"), end - (buffer.rfind("\n") + 1), padded, end)
    }
    scalar = yaml.ScalarToken
    tokens = []
    try:
        get_token = loader.get_token
        token = get_token()
        while token is not None:
            m = token.start_mark
            index = m.index
            mark = marks.get(index)
            if mark is None:
                mark = marks[index] = _FastMark(name, index, m.line, m.column, padded, index)
            token.start_mark = mark
            m = token.end_mark
            index = m.index
            mark = marks.get(index)
            if mark is None:
                mark = marks[index] = _FastMark(name, index, m.line, m.column, padded, index)
            token.end_mark = mark
            if token.__class__ is scalar and token.style == "":
                token.style = None
            tokens.append(token)
            token = get_token()
    except yaml.YAMLError as exc:
        # we lint only what parses; libyaml refusing it means PyYAML alone reads it
        raise _LibyamlRefused from exc
    finally:
        loader.dispose()
    return tokens
