"""The qna.yaml schemas (versions 1-3) as pydantic models, and their errors as our messages.

Semantics follow the reference (`instructlab-schema` 0.4.2): skills v1 need `created_by`,
`task_description` (may be empty) and one seed example; skills v2/v3 need a non-empty
`task_description` and five unique seed examples; knowledge exists only from version 3.
Where the reference is loose we are deliberately stricter (see docs/rules.md): blank text
counts as empty, `version: 3.0` is not an integer, unknown keys inside a knowledge
question/answer pair are errors like everywhere else.

Pydantic checks shapes and types (strict: YAML's `yes`, numbers and dates are not text);
item counts and uniqueness are checked here directly so they are reported even when an
item is also malformed. Every problem becomes a Diagnostic with a stable code (Q1xx).
"""

from __future__ import annotations

import datetime
import difflib
import json
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.taxonomy.yamlnodes import Marks, child_path
from sdg_ci.validate.profiles import LATEST_VERSION, SCHEMA_VERSIONS, Profile

KNOWLEDGE = "knowledge"
SKILLS = "compositional_skills"
MIN_KNOWLEDGE_VERSION = 3


def _not_blank(value: str) -> str:
    if value and not value.strip():
        raise PydanticCustomError("blank_string", "text is only blanks")
    return value


Text = Annotated[str, StringConstraints(min_length=1), AfterValidator(_not_blank)]


class _Model(BaseModel):
    # strict: `answer: yes` (a boolean), `answer: 42` and dates are not text
    model_config = ConfigDict(extra="forbid", strict=True)


class SkillSeed(_Model):
    question: Text
    answer: Text
    # optional, but `context:` with no value is an error, so the default is not None-typed
    context: Text = None  # type: ignore[assignment]


class SkillV1(_Model):
    created_by: Text
    task_description: str  # may be empty in version 1
    seed_examples: list[SkillSeed]


class SkillV2(_Model):
    created_by: Text
    task_description: Text
    seed_examples: list[SkillSeed]


class SkillV3(SkillV2):
    pass


class QuestionAnswer(_Model):
    question: Text
    answer: Text


class KnowledgeSeed(_Model):
    context: Text
    questions_and_answers: list[QuestionAnswer]


class Document(_Model):
    repo: Text
    commit: Text
    patterns: list[Text]


class KnowledgeV3(_Model):
    created_by: Text
    domain: Text
    seed_examples: list[KnowledgeSeed]
    document: Document
    document_outline: Text


MODELS: dict[tuple[str, int], type[_Model]] = {
    (SKILLS, 1): SkillV1,
    (SKILLS, 2): SkillV2,
    (SKILLS, 3): SkillV3,
    (KNOWLEDGE, 3): KnowledgeV3,
}

# (yaml path pattern, minimum items, items must be unique); `[*]` is every list item
COLLECTIONS: dict[tuple[str, int], list[tuple[str, int, bool]]] = {
    (SKILLS, 1): [(".seed_examples", 1, False)],
    (SKILLS, 2): [(".seed_examples", 5, True)],
    (SKILLS, 3): [(".seed_examples", 5, True)],
    (KNOWLEDGE, 3): [
        (".seed_examples", 5, True),
        (".seed_examples[*].questions_and_answers", 3, True),
        (".document.patterns", 1, True),
    ],
}

WHAT = {
    "version": f"the schema version: write `version: {LATEST_VERSION}`",
    "created_by": "your GitHub username",
    "task_description": "what the skill teaches; the teacher model reads it",
    "domain": "the knowledge domain, such as the title of a textbook chapter",
    "document_outline": "a short summary of the document",
    "document": "where the source documents are: repo, commit and patterns",
    "seed_examples": "the examples that generation starts from",
    "questions_and_answers": "at least 3 question/answer pairs about the context",
    "context": "a passage of the document the questions are about",
    "question": "a question a user could ask",
    "answer": "the answer you want the model to give",
    "repo": "the URL of the git repository holding the documents",
    "commit": "the full SHA of the commit holding the documents",
    "patterns": "a list of glob patterns of the documents in that repository, e.g. *.md",
}

MISPLACED = {
    (SKILLS, "document"): "skills have no document; knowledge leaves (under knowledge/) do",
    (SKILLS, "document_outline"): "skills have no document_outline; knowledge leaves do",
    (SKILLS, "domain"): "skills have no domain; knowledge leaves do",
    (SKILLS, "questions_and_answers"): "a skill seed example holds one question and one "
    "answer (and an optional context); questions_and_answers belong to knowledge leaves",
    (KNOWLEDGE, "task_description"): "version 3 knowledge leaves have no task_description; "
    "describe the document in document_outline instead",
    (KNOWLEDGE, "question"): "a knowledge seed example holds a context and a list "
    "questions_and_answers; put the question there",
    (KNOWLEDGE, "answer"): "a knowledge seed example holds a context and a list "
    "questions_and_answers; put the answer there",
}


def display(yaml_path: str) -> str:
    """`.seed_examples[2].answer` -> `seed_examples[2].answer`; the document -> `the file`."""
    return yaml_path.lstrip(".") or "the top level"


def describe(value: object, spelled: str | None = None) -> str:
    """What YAML made of a value, in words (never the whole value: it may be huge)."""
    if value is None:
        return "it has no value"
    if isinstance(value, bool):
        word = spelled or str(value).lower()
        if word.lower() not in ("true", "false"):
            return (
                f"YAML read the unquoted word {word} as the boolean {str(value).lower()}; "
                f'put it in quotes ("{word}") to keep it as text'
            )
        return f'YAML read {word} as a boolean; put it in quotes ("{word}") to keep it as text'
    if isinstance(value, (int, float)):
        word = spelled or repr(value)
        return f'YAML read {word} as a number; put it in quotes ("{word}") to keep it as text'
    if isinstance(value, (datetime.date, datetime.datetime)):
        word = spelled or value.isoformat()
        return f'YAML read {word} as a date; put it in quotes ("{word}") to keep it as text'
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"it is the text {short!r}"
    if isinstance(value, list):
        return f"it is a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "it is a mapping (key: value pairs)"
    return f"it is a {type(value).__name__}"  # pragma: no cover - YAML makes no other types


def _yaml_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        path = child_path(path, part)
    return path


def _get(data: object, loc: tuple) -> object:
    for part in loc:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that validates the mapping at `loc` (None when not a model)."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        ann = field.annotation
        inner = getattr(ann, "__args__", (ann,))[0] if getattr(ann, "__origin__", None) else ann
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return None
        model = inner
    return model


def _required(model: type[BaseModel]) -> list[str]:
    return [name for name, f in model.model_fields.items() if f.is_required()]


Speller = Callable[[str], "str | None"]


def schema_diagnostics(
    data: dict, schema: str, version: int, marks: Marks, spelled: Speller
) -> list[Diagnostic]:
    """Everything the schema of (`schema`, `version`) says about `data`; version excluded."""
    model = MODELS[(schema, version)]
    body = {k: v for k, v in data.items() if k != "version"}
    out: list[Diagnostic] = []
    try:
        model.model_validate(body)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            diag = _translate(err, model, schema, body, marks, spelled)
            if diag is not None:
                out.append(diag)
    out.extend(_collection_diagnostics(body, schema, version, marks))
    return out


def _translate(
    err: Any, model: type[BaseModel], schema: str, data: dict, marks: Marks, spelled: Speller
) -> Diagnostic | None:
    loc = tuple(err["loc"])
    path = _yaml_path(loc)
    kind = err["type"]
    value = _get(data, loc)

    def at(code: str, message: str, *, key: bool = False, where: str | None = None) -> Diagnostic:
        mark = marks.at(path if where is None else where, key=key)
        return Diagnostic(mark.line, mark.column, code, message, path)

    if kind == "missing":
        parent, name = loc[:-1], loc[-1]
        where = f" from {display(_yaml_path(parent))}" if parent else ""
        what = WHAT.get(str(name))
        hint = f" ({what})" if what else ""
        return at(
            "Q101", f'required key "{name}" is missing{where}{hint}', where=_yaml_path(parent)
        )
    if kind in ("extra_forbidden", "invalid_key"):
        parent, name = loc[:-1], loc[-1]
        sub = _model_at(model, parent)
        allowed = list(sub.model_fields) if sub else []
        if parent == () and "version" not in allowed:
            allowed = ["version", *allowed]
        where = f" in {display(_yaml_path(parent))}" if parent else ""
        message = f"unknown key {json.dumps(name) if isinstance(name, str) else name}{where}"
        close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.75)
        if (schema, str(name)) in MISPLACED:
            message += f": {MISPLACED[(schema, str(name))]}"
        elif close:
            message += f' (did you mean "{close[0]}"?)'
        elif allowed:
            message += "; allowed keys: " + ", ".join(sorted(allowed))
        return at("Q102", message, key=True)
    if kind == "string_too_short":
        return at("Q104", f"{display(path)} is empty; write {WHAT.get(str(loc[-1]), 'a value')}")
    if kind == "blank_string":
        return at(
            "Q104",
            f"{display(path)} contains only blanks; write {WHAT.get(str(loc[-1]), 'a value')}",
        )
    expected = {
        "string_type": "text",
        "list_type": "a list",
        "model_type": "a mapping",
        "dict_type": "a mapping",
    }.get(kind)
    if expected is None:  # pragma: no cover - a pydantic error we have no words for yet
        return at("Q103", f"{display(path)}: {err['msg']}")
    if expected == "a mapping":
        sub = _model_at(model, loc)
        if sub is not None:
            expected = "a mapping with the keys " + ", ".join(_required(sub))
    return at("Q103", f"{display(path)} must be {expected}, but {describe(value, spelled(path))}")


def _expand(pattern: str, data: dict) -> Iterator[tuple[str, object]]:
    """Yield (yaml path, value) for a pattern such as `.seed_examples[*].questions_and_answers`."""
    head, star, tail = pattern.partition("[*]")
    value = _get(data, tuple(k for k in head.split(".") if k))
    if not star:
        yield head, value
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                for sub_path, sub_value in _expand(tail, item):
                    yield f"{head}[{i}]{sub_path}", sub_value


def _canonical(value: object) -> object:
    """A hashable stand-in with jsonschema's equality (key order does not matter)."""
    if isinstance(value, dict):
        return ("map", frozenset((repr(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(_canonical(v) for v in value))
    return (
        type(value).__name__,
        value if isinstance(value, (str, int, float, bool)) else repr(value),
    )


def _collection_diagnostics(
    data: dict, schema: str, version: int, marks: Marks
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for pattern, minimum, unique in COLLECTIONS[(schema, version)]:
        for path, value in _expand(pattern, data):
            if not isinstance(value, list):
                continue  # missing or of the wrong type: pydantic reports it
            if len(value) < minimum:
                mark = marks.at(path)
                out.append(
                    Diagnostic(
                        mark.line,
                        mark.column,
                        "Q105",
                        f"{display(path)} has {len(value)} item{'s' if len(value) != 1 else ''}; "
                        f"at least {minimum} {'are' if minimum != 1 else 'is'} required",
                        path,
                    )
                )
            if unique:
                first_seen: dict[object, int] = {}
                for i, item in enumerate(value):
                    key = _canonical(item)
                    if key in first_seen:
                        item_path = f"{path}[{i}]"
                        mark = marks.at(item_path)
                        out.append(
                            Diagnostic(
                                mark.line,
                                mark.column,
                                "Q106",
                                f"{display(item_path)} repeats {display(path)}[{first_seen[key]}]; "
                                "each item must be unique",
                                item_path,
                            )
                        )
                    else:
                        first_seen[key] = i
    return out


def version_in_force(
    data: dict, schema: str, profile: Profile, marks: Marks, spelled: Speller
) -> tuple[int | None, list[Diagnostic]]:
    """The schema version to validate against, and what is wrong with the `version` key.

    `None` means no schema applies (an unknown version, or knowledge before version 3).
    """
    diags: list[Diagnostic] = []
    present = "version" in data
    raw = data.get("version")

    def add(code: str, message: str, where: str = ".version") -> None:
        m = marks.at(where)
        diags.append(Diagnostic(m.line, m.column, code, message, ".version"))

    versions = ", ".join(str(v) for v in SCHEMA_VERSIONS[:-1]) + f" and {SCHEMA_VERSIONS[-1]}"
    number: int | None
    if not present:
        number = None
    elif isinstance(raw, bool) or not isinstance(raw, int):
        if isinstance(raw, bool):
            how = f"it is the boolean {spelled('.version') or str(raw).lower()}"
        elif isinstance(raw, float):
            how = f"{spelled('.version') or raw} is a decimal number"
        elif isinstance(raw, str) and raw.strip().isdigit():
            how = f'"{raw}" is text (in quotes): write `version: {raw.strip()}`'
        else:
            how = describe(raw)
        choices = versions.replace(" and ", " or ")
        add("Q107", f"version must be one of the whole numbers {choices}, but {how}")
        number = None
        if profile.version_from_file and not isinstance(raw, bool):
            try:  # the reference goes on with int(value); so do we, to report the rest
                number = int(raw)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                number = None
    else:
        number = raw
        if number not in SCHEMA_VERSIONS:
            add("Q108", f"version {number} does not exist; the schema versions are {versions}")

    if not profile.version_from_file:
        if not present:
            add("Q101", f'required key "version" is missing ({WHAT["version"]})', where="")
        elif number in SCHEMA_VERSIONS and number != LATEST_VERSION:
            add(
                "Q109",
                f"version is {number}, but the taxonomy CI checks every changed file against "
                f"schema version {LATEST_VERSION}; set `version: {LATEST_VERSION}` and update "
                f"the file to the version {LATEST_VERSION} format",
            )
        return LATEST_VERSION, diags

    if not present:
        number = 1  # the reference's default when the key is absent
    if number not in SCHEMA_VERSIONS:
        return None, diags
    if schema == KNOWLEDGE and number < MIN_KNOWLEDGE_VERSION:
        add(
            "Q108",
            f"version {number} is not supported for knowledge; the minimum is "
            f"{MIN_KNOWLEDGE_VERSION}: set `version: {LATEST_VERSION}` and use the "
            f"version {LATEST_VERSION} format (document_outline, questions_and_answers)",
        )
        return None, diags
    return number, diags
