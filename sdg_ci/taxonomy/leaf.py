"""Taxonomy leaves: which files are leaves, what kind each is, and reading one safely.

A leaf is a file named exactly `qna.yaml` under `compositional_skills/` or `knowledge/`;
its taxonomy path is its directory parts. Reading refuses what could hurt or mislead
(symlinks out of the taxonomy, huge or binary files, undecodable bytes) with a diagnostic
instead of an exception, so one bad file never stops the others.
"""

from __future__ import annotations

import enum
import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sdg_ci.diagnostics import Diagnostic
from sdg_ci.taxonomy.yamlnodes import Marks, YamlLoadError, load_with_marks

LEAF_NAME = "qna.yaml"
LEAF_ROOTS = ("compositional_skills", "knowledge")
MAX_FILE_BYTES = 1024 * 1024  # documented in README: files above this are refused


class LeafKind(str, enum.Enum):
    KNOWLEDGE = "knowledge"
    FREEFORM_SKILL = "freeform_skill"
    GROUNDED_SKILL = "grounded_skill"


def is_leaf_lookalike(name: str) -> bool:
    """`qna.yml`, `QNA.yaml`, `QnA.YML`: names a contributor meant as a leaf."""
    return name.lower() in ("qna.yaml", "qna.yml") and name != LEAF_NAME


def is_leaf_path(rel_path: str) -> bool:
    """True for `compositional_skills/.../qna.yaml` and `knowledge/.../qna.yaml`."""
    parts = PurePosixPath(rel_path).parts
    return len(parts) >= 2 and parts[0] in LEAF_ROOTS and parts[-1] == LEAF_NAME


def taxonomy_path(rel_path: str) -> str:
    """`knowledge/a/b/qna.yaml` -> `knowledge/a/b`."""
    return str(PurePosixPath(rel_path).parent)


def leaf_kind(data: object, rel_path: str) -> LeafKind:
    """Knowledge by its folder; a skill is grounded when its examples carry `context`."""
    if PurePosixPath(rel_path).parts[:1] == ("knowledge",):
        return LeafKind.KNOWLEDGE
    examples = data.get("seed_examples") if isinstance(data, dict) else None
    if isinstance(examples, list) and any(
        isinstance(e, dict) and e.get("context") for e in examples
    ):
        return LeafKind.GROUNDED_SKILL
    return LeafKind.FREEFORM_SKILL


@dataclass
class Leaf:
    """A loaded leaf: its data as plain values and the place of every value."""

    root: Path
    rel_path: str
    data: object
    marks: Marks = field(default_factory=Marks)
    text: str = ""

    @property
    def path(self) -> Path:
        return self.root / self.rel_path

    @property
    def taxonomy_path(self) -> str:
        return taxonomy_path(self.rel_path)

    @property
    def kind(self) -> LeafKind:
        return leaf_kind(self.data, self.rel_path)


def find_leaf_files(root: Path, paths: list[Path] | None = None) -> list[str]:
    """Leaf candidates below `paths` (default: the whole root), relative and sorted.

    Look-alike names (`qna.yml`) are included so validation can say they are misnamed.
    Hidden folders (`.git`) are skipped.
    """
    root = root.resolve()
    found: set[str] = set()
    for start in paths or [root]:
        start = start if start.is_absolute() else (Path.cwd() / start)
        if start.is_file() or start.is_symlink() and not start.is_dir():
            found.add(relative_to_root(root, start))
            continue
        top = os.fspath(start)
        under = _Under(root, top)
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            # a directory named qna.yaml is reported, not walked into silently
            names = filenames + [d for d in dirnames if d.lower() in ("qna.yaml", "qna.yml")]
            for name in names:
                if name == LEAF_NAME or is_leaf_lookalike(name):
                    found.add(under.relative(dirpath, name))
    return sorted(found)


class _Under:
    """`relative_to_root(root, Path(dirpath) / name)` for the folders os.walk(top) yields,
    without resolving each one: os.walk does not follow symlinked folders, so below `top`
    every folder is real and its resolved form is `top`'s resolved form plus the rest."""

    def __init__(self, root: Path, top: str) -> None:
        self.root = root
        self.top = top
        self.abs_top = os.path.abspath(top)
        self.real_top = os.path.realpath(self.abs_top)
        forms = []
        for form in (os.fspath(root.resolve()), os.path.abspath(root)):
            forms.append(form if form.endswith("/") else form + "/")
        self.prefixes = forms

    def relative(self, dirpath: str, name: str) -> str:
        rest = dirpath[len(self.top) :].lstrip("/") if dirpath.startswith(self.top) else None
        if rest is None or name in (".", "..") or "/" in name:  # not expected from os.walk
            return relative_to_root(self.root, Path(dirpath) / name)
        absolute = os.path.join(self.abs_top, rest, name)  # rest "": no folder added
        real = os.path.join(self.real_top, rest, name)
        for prefix in self.prefixes:
            for candidate in (real, absolute):
                if candidate.startswith(prefix):
                    return candidate[len(prefix) :]
        return absolute


def relative_to_root(root: Path, path: Path) -> str:
    """`path` relative to `root` (posix), or absolute when it lies outside the root.

    The folders are compared resolved (a taxonomy reached through a symlinked folder is
    still one taxonomy); the file itself is not, so a symlinked leaf keeps its own name
    and reading it checks where it points.
    """
    absolute = Path(os.path.abspath(path))
    candidates = (Path(os.path.realpath(absolute.parent)) / absolute.name, absolute)
    for root_form in (root.resolve(), Path(os.path.abspath(root))):
        for candidate in candidates:
            try:
                return candidate.relative_to(root_form).as_posix()
            except ValueError:
                continue
    return absolute.as_posix()


class LeafReadError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _inside_str(path: str, folder: str) -> bool:
    """`path` is `folder` or below it (both normalised absolute paths)."""
    return path == folder or path.startswith(folder if folder.endswith("/") else folder + "/")


# errors that say the path cannot be followed to a file at all (Q016), not that the file
# refuses to be read (Q013)
_UNRESOLVABLE = (errno.ELOOP, errno.ENAMETOOLONG)


def _refuse(code: str, message: str, line: int = 1, column: int = 1) -> LeafReadError:
    return LeafReadError(Diagnostic(line, column, code, message))


def _os_refusal(exc: OSError) -> LeafReadError:
    """Any OSError met while reading, as the file problem it is: never an exception."""
    reason = exc.strerror or str(exc)
    if exc.errno in _UNRESOLVABLE:
        return _refuse("Q016", f"cannot follow the path to a file: {reason}")
    if exc.errno == errno.EISDIR:
        return _refuse("Q011", f"cannot read it as a file: {reason}")
    return _refuse("Q013", f"cannot read file: {reason}")


def _resolved(path: Path) -> Path:
    """`path.resolve()`, whose symlink loop is a RuntimeError before Python 3.13."""
    try:
        return path.resolve()
    except RuntimeError as exc:  # "Symlink loop from ..."
        raise _refuse("Q016", "cannot follow the path to a file: a symlink loop") from exc
    except OSError as exc:
        raise _os_refusal(exc) from exc


def read_leaf_text(root: Path, rel_path: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The file's text, or LeafReadError saying why it cannot be read."""
    path = root / rel_path
    real_root = root.resolve()
    absolute = os.path.abspath(path)
    real_root_s = os.fspath(real_root)
    if _inside_str(absolute, real_root_s) or _inside_str(absolute, os.path.abspath(root)):
        # a file of the taxonomy, or a link in its path, must not lead out of it
        target = _resolved(path)
        if not _inside_str(os.fspath(target), real_root_s):
            raise _refuse(
                "Q010",
                f"symlink points outside the taxonomy (to {target}); refusing to read it",
            )
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _os_refusal(exc) from exc
    if stat.S_ISDIR(info.st_mode):
        raise _refuse("Q011", f"{path.name} is a directory, not a file")
    try:
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block the read forever
            raise _refuse("Q011", f"{path.name} is not a regular file (a FIFO, socket or device)")
        size = info.st_size
        if size > max_bytes:
            raise _refuse(
                "Q012",
                f"file is {size:,} bytes, over the {max_bytes:,}-byte limit; "
                "a qna.yaml holds seeds, not whole documents",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise _os_refusal(exc) from exc
    if b"\x00" in raw:
        raise _refuse("Q014", "file contains NUL bytes: it is binary, not YAML text")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _refuse(
            "Q015",
            f"file is not valid UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded; "
            "save the file as UTF-8",
            line,
            column,
        ) from exc


def load_leaf(root: Path, rel_path: str, max_bytes: int = MAX_FILE_BYTES) -> Leaf:
    """Read and parse one leaf; raises LeafReadError with a placed diagnostic."""
    text = read_leaf_text(root, rel_path, max_bytes)
    try:
        data, marks = load_with_marks(text)
    except YamlLoadError as exc:
        raise _refuse(exc.code, exc.message, exc.line, exc.column) from exc
    return Leaf(root=root, rel_path=rel_path, data=data, marks=marks, text=text)
