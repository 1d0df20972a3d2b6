"""Load YAML into plain Python values plus a line/column for every node.

PyYAML's composer keeps a start mark on every node; we build the values ourselves from the
node graph so that each value's place is known by its yaml path (`.seed_examples[4].answer`)
and so that hostile input is answered, not obeyed: duplicate keys are reported, aliases may
not expand past a node budget ("billion laughs"), nesting is bounded. Merge keys
(`<<: *base`, `<<: [*a, *b]`) are read as PyYAML's SafeLoader reads them (the reference),
and the budget counts what they merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

try:  # the C composer is ~10x faster; the pure-Python one gives the same nodes
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_NODES = 1_000_000
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"  # a plain `=` key, which PyYAML reads as the text "="
MAX_DEPTH = 200


class YamlLoadError(Exception):
    """The text is not YAML we can load; carries a whole message and a 1-based place."""

    def __init__(self, message: str, line: int = 1, column: int = 1, code: str = "Q001"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.code = code


@dataclass(frozen=True)
class Mark:
    line: int
    column: int


@dataclass
class Marks:
    """yaml path -> place of the value (and of the key, for mapping entries)."""

    values: dict[str, Mark] = field(default_factory=dict)
    keys: dict[str, Mark] = field(default_factory=dict)
    duplicates: list[tuple[str, Mark]] = field(default_factory=list)

    def at(self, yaml_path: str, *, key: bool = False) -> Mark:
        """The place of `yaml_path`, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        path = yaml_path
        while True:
            if path in table:
                return table[path]
            if path in self.values:
                return self.values[path]
            if not path:
                return Mark(1, 1)
            path = parent_path(path)


def parent_path(yaml_path: str) -> str:
    """`.a.b[3]` -> `.a.b`; `.a` -> `` (the document)."""
    cut = max(yaml_path.rfind("."), yaml_path.rfind("["))
    return yaml_path[: max(cut, 0)]


def child_path(parent: str, key: object) -> str:
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{parent}[{key}]"
    return f"{parent}.{key}"


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _Recursive(Exception):
    """A node contains itself through an alias (`a: &a [*a]`): its expansion never ends."""


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """Nodes the document has once aliases (and the merge keys that name them) are
    expanded, computed without expanding them. Raises _Recursive for a node that contains
    itself."""
    sizes: dict[int, int] = {}
    entered: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children = (
            [c for pair in node.value for c in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
        )
        if done:
            total = 1 + sum(sizes.get(id(c), 0) for c in children)
            sizes[id(node)] = min(total, limit + 1)
        else:
            if id(node) in entered:  # met again below itself, before it was finished
                raise _Recursive
            entered.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _is_merge(key_node: yaml.Node) -> bool:
    return isinstance(key_node, yaml.ScalarNode) and key_node.tag == _MERGE_TAG


class _Builder:
    def __init__(self) -> None:
        self.marks = Marks()
        self._constructor = yaml.SafeLoader("")  # only for scalar tag resolution

    def build(self, node: yaml.Node, path: str, depth: int) -> object:
        if depth > MAX_DEPTH:
            m = _mark(node)
            raise YamlLoadError(
                f"YAML nesting is deeper than {MAX_DEPTH} levels", m.line, m.column, "Q003"
            )
        values = self.marks.values
        if path not in values:
            start = node.start_mark
            values[path] = Mark(start.line + 1, start.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(c, f"{path}[{i}]", depth + 1) for i, c in enumerate(node.value)]
        result: dict = {}
        keys = self.marks.keys
        key_path = path + ".<key>"
        own = [(k, v) for k, v in node.value if not _is_merge(k)]
        order: list = []
        if len(own) < len(node.value):
            own_keys = [self._key(k, key_path, depth) for k, _ in own]
            merged: dict = {}  # as PyYAML: the first merged pair wins, the file's own keys win
            for key_node, value_node in self._merged_pairs(node, depth):
                merged.setdefault(self._key(key_node, key_path, depth), (key_node, value_node))
            order = list(dict.fromkeys([*merged, *own_keys]))
            written = set(own_keys)
            for key, (key_node, value_node) in merged.items():
                if key in written:
                    continue
                sub = child_path(path, key)
                keys.setdefault(sub, _mark(key_node))
                result[key] = self.build(value_node, sub, depth + 1)
        for key_node, value_node in own:
            key = self._key(key_node, key_path, depth)
            sub = child_path(path, key)
            if key in result:  # merged keys the file also writes were left out above
                self.marks.duplicates.append((sub, _mark(key_node)))
            if sub not in keys:
                keys[sub] = _mark(key_node)
            result[key] = self.build(value_node, sub, depth + 1)
        values.pop(key_path, None)
        return {key: result[key] for key in order} if order else result

    def _key(self, key_node: yaml.Node, key_path: str, depth: int) -> object:
        if depth < MAX_DEPTH and isinstance(key_node, yaml.ScalarNode):
            # what build() gives for a plain key; its mark under `key_path` would be
            # dropped anyway
            return self._scalar(key_node)
        key = self.build(key_node, key_path, depth + 1)
        if isinstance(key, (list, dict)):
            m = _mark(key_node)
            raise YamlLoadError("a mapping key must be a plain value", m.line, m.column)
        return key

    def _merged_pairs(self, node: yaml.MappingNode, depth: int) -> list[tuple]:
        """The (key, value) nodes that `<<` keys bring into `node`, in precedence order as
        PyYAML's SafeConstructor.flatten_mapping: of two pairs with one key, the first wins."""
        if depth > MAX_DEPTH:
            m = _mark(node)
            raise YamlLoadError(
                f"YAML merge keys nest deeper than {MAX_DEPTH} levels", m.line, m.column, "Q003"
            )
        merged: list[tuple] = []
        for key_node, value_node in node.value:
            if not _is_merge(key_node):
                continue
            if isinstance(value_node, yaml.MappingNode):
                merged.extend(self._flattened(value_node, depth))
            elif isinstance(value_node, yaml.SequenceNode) and all(
                isinstance(n, yaml.MappingNode) for n in value_node.value
            ):
                for source in value_node.value:
                    merged.extend(self._flattened(source, depth))
            else:
                bad = value_node
                if isinstance(value_node, yaml.SequenceNode):
                    bad = next(n for n in value_node.value if not isinstance(n, yaml.MappingNode))
                m = _mark(bad)
                raise YamlLoadError(
                    "a merge key (<<) takes a mapping or a list of mappings, "
                    f"not {_node_kind(bad)}",
                    m.line,
                    m.column,
                )
        return merged

    def _flattened(self, node: yaml.MappingNode, depth: int) -> list[tuple]:
        """A merged mapping's pairs: what it merges itself, then its own keys."""
        own = [(k, v) for k, v in node.value if not _is_merge(k)]
        if len(own) == len(node.value):
            return own
        return self._merged_pairs(node, depth + 1) + own

    def _scalar(self, node: yaml.ScalarNode) -> object:
        if node.tag in (_STR_TAG, _VALUE_TAG):  # most values: what SafeConstructor gives, cheaper
            return node.value
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            m = _mark(node)
            raise YamlLoadError(f"cannot read value: {exc.problem}", m.line, m.column) from exc


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return f"the value {node.value!r}"[:80]
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


def _reader_error(text: str, exc: yaml.reader.ReaderError) -> YamlLoadError:
    """A character YAML refuses (a control character pasted in), placed by line and column.

    libyaml gives a byte offset into the UTF-8 text, the pure-Python reader a character one.
    """
    if exc.encoding == "unicode":
        head = text[: exc.position]
    else:
        head = text.encode("utf-8")[: exc.position].decode("utf-8", "replace")
    line = head.count("\n") + 1
    column = len(head) - (head.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return YamlLoadError(
        f"YAML syntax error: unacceptable character #x{char:04x}: {exc.reason}; "
        "delete it (control characters often come along when text is copied from another "
        "program)",
        line,
        column,
    )


def load_with_marks(text: str) -> tuple[object, Marks]:
    """Parse one YAML document; an empty document gives `None`.

    Raises YamlLoadError with the parser's own problem text and place.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(text, exc) from exc
    except yaml.MarkedYAMLError as exc:
        root = _compose_pure(text) if _Loader is not yaml.SafeLoader else _REFUSED
        if root is _REFUSED:
            raise _syntax_error(exc) from exc
    except yaml.YAMLError as exc:
        raise YamlLoadError(f"YAML syntax error: {exc}") from exc
    return _to_values(text, root)


_REFUSED = object()


def _compose_pure(text: str) -> object:
    """libyaml refuses a few documents PyYAML reads (a tab after the indentation of a block
    scalar's first line); the reference reads with PyYAML, so a refusal is confirmed there."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):  # PyYAML recurses on nesting libyaml refused
        return _REFUSED


def _syntax_error(exc: yaml.MarkedYAMLError) -> YamlLoadError:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    parts = [p for p in (exc.context, exc.problem) if p]
    return YamlLoadError("YAML syntax error: " + ", ".join(parts), line, col)


def _to_values(text: str, root: yaml.Node | None) -> tuple[object, Marks]:
    if root is None:
        return None, Marks()
    # aliases need an anchor (`&name`): without one the node count is the text's own
    try:
        size = _expanded_size(root, MAX_NODES) if "&" in text else 0
    except _Recursive:
        raise YamlLoadError(
            "a YAML alias refers to the node that holds it, so the value never ends; "
            "refusing to load it",
            code="Q002",
        ) from None
    if size > MAX_NODES:
        raise YamlLoadError(
            f"YAML aliases expand to more than {MAX_NODES:,} nodes "
            "(an alias bomb such as 'billion laughs'?); refusing to load it",
            code="Q002",
        )
    builder = _Builder()
    value = builder.build(root, "", 0)
    return value, builder.marks
