"""Walking seed examples defensively: rules run even when the schema found problems."""

from __future__ import annotations

from collections.abc import Iterator


def seed_examples(data: dict | None) -> Iterator[tuple[str, dict]]:
    examples = (data or {}).get("seed_examples")
    if isinstance(examples, list):
        for i, example in enumerate(examples):
            if isinstance(example, dict):
                yield f".seed_examples[{i}]", example


def qa_pairs(data: dict | None) -> Iterator[tuple[str, dict]]:
    """Knowledge question/answer pairs, or the skill seed examples themselves."""
    for path, example in seed_examples(data):
        pairs = example.get("questions_and_answers")
        if isinstance(pairs, list):
            for j, pair in enumerate(pairs):
                if isinstance(pair, dict):
                    yield f"{path}.questions_and_answers[{j}]", pair
        elif "question" in example or "answer" in example:
            yield path, example


def words(text: object) -> int:
    return len(text.split()) if isinstance(text, str) else 0


def walk(value: object, path: str = "") -> Iterator[tuple[str, object]]:
    """Every (yaml path, value) below `value`, depth first, without recursion."""
    stack = [(path, value)]
    while stack:
        path, value = stack.pop()
        yield path, value
        if isinstance(value, dict):
            stack.extend((f"{path}.{k}", v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in reversed(list(enumerate(value))))
