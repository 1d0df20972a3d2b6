"""Every rule's documented examples are executed, the way yamllint tests its rules.

A rule's docstring (which becomes docs/rules.md) shows a bad and a good case. Here each
case is built into a scratch taxonomy and validated: the bad case must produce the rule's
code, the good case must not. So an example in the documentation cannot lie.

How a case is built from its words:

- a ```yaml block is the `qna.yaml`: a whole file when it is one (it is not a mapping, or
  it has both `version` and `seed_examples`), else a piece of a valid leaf that replaces
  the keys it names (one level down for `document:`); a block of list items indented
  under `seed_examples:` replaces the leaf's first seed examples. `␣` stands for a space.
- a ```text block is the `attribution.txt` beside the leaf;
- a backticked path (`knowledge/.../qna.yaml`) is where the leaf lies;
- the kind (knowledge or skill) follows the path, else the keys the case shows;
- a case told only in words is built by the entry of `IN_WORDS` that quotes those words.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from sdg_ci.validate import validate
from sdg_ci.validate.rules import RULES

# rules about the file itself (how it is read), shown without a bad and a good qna.yaml
NO_EXAMPLES = {"Q000", "Q010", "Q011", "Q012", "Q013", "Q014", "Q015", "Q016"}

ATTRIBUTION = """\
Title of work: Irregular English plurals (seed examples)
Link to work: https://example.org/plurals
License of the work: CC-BY-4.0
Creator names: Ada Lovelace
"""

SKILL_HEAD = {
    "version": "version: 3\n",
    "task_description": "task_description: Give the plural of an irregular English noun.\n",
    "created_by": "created_by: ada-lovelace\n",
}
SKILL_SEEDS = [
    f'  - question: What is the plural of "{one}"?\n'
    f'    answer: The plural of "{one}" is "{many}".\n'
    for one, many in (
        ("mouse", "mice"),
        ("goose", "geese"),
        ("child", "children"),
        ("tooth", "teeth"),
        ("ox", "oxen"),
    )
]

KNOWLEDGE_HEAD = {
    "version": "version: 3\n",
    "created_by": "created_by: ada-lovelace\n",
    "domain": "domain: astronomy\n",
    "document_outline": (
        "document_outline: The constellation Phoenix, its stars and how it was named.\n"
    ),
}
KNOWLEDGE_SEEDS = [
    f"  - context: Phoenix is a constellation of the southern sky, fact number {i}.\n"
    "    questions_and_answers:\n"
    + "".join(
        f"      - question: What is fact {i}.{k} about Phoenix?\n"
        f"        answer: Fact {i}.{k} is that Phoenix lies in the southern sky.\n"
        for k in range(3)
    )
    for i in range(5)
]
KNOWLEDGE_TAIL = {
    "document": (
        "document:\n"
        "  repo: https://github.com/your-name/knowledge-docs\n"
        "  commit: 5f7158a5ce83c4ff493bfe341fe31ecad64ff697\n"
        "  patterns:\n"
        "    - phoenix.md\n"
    )
}

_KNOWLEDGE_KEYS = re.compile(
    r"^[ \t]*(?:- )?(document|document_outline|domain|questions_and_answers)[ \t]*:", re.M
)
_TOP_KEY = re.compile(r"^([^\s#\-][^:]*):")
_BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)
_LEAF_PATH = re.compile(r"`([^`\s][^`]*/[^`/]+\.ya?ml)`")


@dataclass
class InWords:
    """How to build a case the docstring tells in words (`says`, quoted from it)."""

    says: str
    kind: str = "skill"
    edit: Callable[[str], str] = lambda text: text
    files: Callable[[Path], None] = lambda folder: None


def _words(n: int, word: str = "chapter") -> str:
    return " ".join(f"{word}{i % 10}" for i in range(n))


def _long_context(text: str) -> str:
    return text.replace("fact number 0.", "fact number 0. " + _words(600), 1)


def _long_answer(text: str) -> str:
    return text.replace('is "mice".', 'is "mice". ' + _words(300, "page"), 1)


def _contexts_everywhere(text: str) -> str:
    return text.replace("  - question:", f"  - context: {_words(500, 'document')}\n    question:")


def _no_attribution(folder: Path) -> None:
    (folder / "attribution.txt").unlink()


def _empty_attribution(folder: Path) -> None:
    (folder / "attribution.txt").write_bytes(b"")


IN_WORDS: dict[tuple[str, str], InWords] = {
    ("Q003", "bad"): InWords(
        "`answer:` followed by 201 `[` and as many `]`",
        edit=lambda text: text + "answer: " + "[" * 201 + "]" * 201 + "\n",
    ),
    ("Q022", "good"): InWords("a leaf with `version`, `created_by`, `task_description`"),
    ("Q030", "bad"): InWords("alone in its folder", kind="knowledge", files=_no_attribution),
    ("Q031", "bad"): InWords("an `attribution.txt` of zero bytes", files=_empty_attribution),
    ("Q105", "good"): InWords("five (or more) different seed examples"),
    ("Q200", "bad"): InWords(
        "no newline at the end of the file", edit=lambda text: text.rstrip("\n")
    ),
    ("Q200", "good"): InWords("no trailing blanks, a newline at the end"),
    ("Q301", "good"): InWords("three pairs per context", kind="knowledge"),
    ("Q305", "bad"): InWords(
        "a context into which a whole chapter was pasted", kind="knowledge", edit=_long_context
    ),
    ("Q305", "good"): InWords("a context of a few paragraphs, under 500 words", kind="knowledge"),
    ("Q306", "bad"): InWords("an answer of several pages", edit=_long_answer),
    ("Q306", "good"): InWords("an answer of a few sentences, under 250 words"),
    ("Q307", "bad"): InWords(
        "five seed examples whose contexts are whole documents", edit=_contexts_everywhere
    ),
    ("Q307", "good"): InWords("five to a dozen compact examples"),
    ("Q308", "good"): InWords("a different context in each seed example", kind="knowledge"),
    ("Q309", "good"): InWords("a context in every example (grounded) or in none (freeform)"),
    ("Q315", "bad"): InWords("lines ending in `\\r\\n`", edit=lambda t: t.replace("\n", "\r\n")),
    ("Q315", "good"): InWords("lines ending in `\\n`"),
}


@dataclass
class Case:
    code: str
    side: str  # "bad" or "good"
    words: str  # the docstring's text for this case

    @property
    def yaml(self) -> str | None:
        blocks = [body for lang, body in _BLOCK.findall(self.words) if lang == "yaml"]
        return blocks[0].replace("␣", " ") if blocks else None

    @property
    def attribution(self) -> str | None:
        blocks = [body for lang, body in _BLOCK.findall(self.words) if lang == "text"]
        return blocks[0] if blocks else None

    @property
    def path(self) -> str | None:
        found = _LEAF_PATH.search(_BLOCK.sub("", self.words))
        return found.group(1) if found else None

    @property
    def in_words(self) -> InWords | None:
        return IN_WORDS.get((self.code, self.side))

    @property
    def kind(self) -> str:
        if self.path:
            return "knowledge" if self.path.startswith("knowledge/") else "skill"
        if self.yaml is not None:
            return "knowledge" if _KNOWLEDGE_KEYS.search(self.yaml) else "skill"
        return self.in_words.kind if self.in_words else "skill"


def cases() -> list[Case]:
    found = []
    for rule in RULES:
        bad, has_good, good = ("\n" + rule.doc).partition("\nGood")
        if "\nBad" not in bad:
            continue
        found.append(Case(rule.code, "bad", bad[bad.index("\nBad") + 1 :]))
        found.append(Case(rule.code, "good", "Good" + good if has_good else ""))
    return found


CASES = cases()


# ---- building a case -------------------------------------------------------------------
def _blocks(text: str, indent: int = 0) -> list[tuple[str | None, str]]:
    """(key, text) for each key written at `indent` (comments before the first: None)."""
    out: list[tuple[str | None, str]] = []
    pad = " " * indent
    for line in text.splitlines(keepends=True):
        key = _TOP_KEY.match(line[indent:]) if line.startswith(pad) else None
        if key and not line[indent:].startswith(" "):
            out.append((key.group(1).strip(), line))
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + line)
        else:
            out.append((None, line))
    return out


def _is_mapping_of_keys(block: str, indent: int) -> bool:
    lines = [ln for ln in block.splitlines()[1:] if ln.strip() and not ln.strip().startswith("#")]
    return bool(lines) and bool(_TOP_KEY.match(lines[0][indent:])) and lines[0][:indent].isspace()


def _overlay(base: list[tuple[str | None, str]], piece: str, indent: int) -> str:
    """The base's blocks with `piece`'s keys replacing them (merged one level down when both
    are mappings of keys), new or repeated keys appended: text, so it keeps what a value
    would lose (quotes, duplicate keys, anchors)."""
    blocks = list(base)
    replaced: set[str] = set()
    for key, text in _blocks(piece, indent):
        at = next((i for i, (k, _) in enumerate(blocks) if k == key), None)
        if key is None or at is None or key in replaced:
            blocks.append((key, text))
            continue
        replaced.add(key)
        old = blocks[at][1]
        if _is_mapping_of_keys(text, indent + 2) and _is_mapping_of_keys(old, indent + 2):
            head, _, body = old.partition("\n")
            _, _, new_body = text.partition("\n")
            text = head + "\n" + _overlay(_blocks(body, indent + 2), new_body, indent + 2)
        blocks[at] = (key, text)
    return "".join(text for _, text in blocks)


def qna_text(case: Case) -> str:
    knowledge = case.kind == "knowledge"
    head = dict(KNOWLEDGE_HEAD if knowledge else SKILL_HEAD)
    seeds = list(KNOWLEDGE_SEEDS if knowledge else SKILL_SEEDS)
    tail = KNOWLEDGE_TAIL if knowledge else {}
    snippet = case.yaml
    if snippet is not None:
        first = next(ln for ln in snippet.splitlines() if ln.strip())
        top_keys = {k for k, _ in _blocks(snippet)}
        if first.startswith(" ") and first.lstrip().startswith("- "):
            items = re.split(r"(?m)^(?=  - )", snippet)
            items = [i for i in items if i.strip()]
            seeds[: len(items)] = items
        elif first.startswith(("- ", "#")) or {"version", "seed_examples"} <= top_keys:
            return snippet  # the whole file
        else:
            base = [*head.items(), ("seed_examples", "seed_examples:\n" + "".join(seeds))]
            return _overlay([*base, *tail.items()], snippet, 0)
    return "".join([*head.values(), "seed_examples:\n", *seeds, *tail.values()])


def build(case: Case, root: Path) -> Path:
    knowledge = case.kind == "knowledge"
    rel = case.path or (
        f"{'knowledge' if knowledge else 'compositional_skills'}/examples/"
        f"{case.code.lower()}/qna.yaml"
    )
    leaf = root / rel
    leaf.parent.mkdir(parents=True, exist_ok=True)
    text = qna_text(case)
    words = case.in_words
    if words:
        text = words.edit(text)
    leaf.write_bytes(text.encode("utf-8"))
    (leaf.parent / "attribution.txt").write_text(case.attribution or ATTRIBUTION)
    if words:
        words.files(leaf.parent)
    return leaf


def codes_for(case: Case, root: Path) -> list[str]:
    leaf = build(case, root)
    (result,) = validate([leaf], root=root, jobs=1)
    return [d.code for d in result.errors + result.warnings]


# ---- the tests -------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["skill", "knowledge"])
def test_the_leaves_the_cases_are_built_on_are_clean(tmp_path, kind):
    case = Case("Q999", "good", "")
    IN_WORDS[("Q999", "good")] = InWords("", kind=kind)
    try:
        assert codes_for(case, tmp_path) == []
    finally:
        del IN_WORDS[("Q999", "good")]


@pytest.mark.parametrize("case", [c for c in CASES if c.side == "bad"], ids=lambda c: c.code)
def test_the_bad_example_breaks_its_rule(tmp_path, case):
    assert case.code in codes_for(case, tmp_path), qna_text(case)


@pytest.mark.parametrize("case", [c for c in CASES if c.side == "good"], ids=lambda c: c.code)
def test_the_good_example_keeps_its_rule(tmp_path, case):
    assert case.code not in codes_for(case, tmp_path), qna_text(case)


def test_every_rule_shows_its_examples_in_a_form_the_tests_build():
    shown = {c.code for c in CASES}
    assert shown == {r.code for r in RULES} - NO_EXAMPLES
    for case in CASES:
        told = case.yaml is not None or case.attribution is not None or case.path is not None
        assert told or case.in_words, f"{case.code} {case.side}: give code or an IN_WORDS entry"
        if case.in_words:
            flat = " ".join(case.words.split())
            assert case.in_words.says in flat, f"{case.code} {case.side}: the words changed"


def test_every_case_told_in_words_is_still_in_the_docs():
    assert set(IN_WORDS) <= {(c.code, c.side) for c in CASES}


def test_the_whole_file_and_piece_readings_are_the_ones_meant():
    by = {(c.code, c.side): c for c in CASES}
    # a whole file: Q023's list and Q101's leaf without created_by
    assert qna_text(by["Q023", "bad"]).startswith("- question:")
    assert "created_by" not in qna_text(by["Q101", "bad"])
    # a piece: Q302's commit replaces the base's, the rest of `document` stays
    text = qna_text(by["Q302", "bad"])
    assert "  commit: main\n" in text and "  repo: https://" in text
    assert text.count("commit:") == 1
    # seed items replace the first seed example
    assert qna_text(by["Q104", "bad"]).count("  - question:") == len(SKILL_SEEDS)


def test_a_lying_example_is_caught(tmp_path):
    lie = Case("Q302", "bad", "Bad:\n\n```yaml\ndocument:\n  commit: " + "a" * 40 + "\n```\n")
    assert "Q302" not in codes_for(lie, tmp_path)
    assert textwrap.dedent(lie.yaml or "").startswith("document:")
