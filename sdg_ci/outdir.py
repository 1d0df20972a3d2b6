"""An output folder that two runs can share safely: atomic writes and a run lock.

Why: `sdg-ci generate`/`check` write several files into `--out`; two runs pointed at the
same folder (two CI jobs, a user re-running while the first still runs) must never leave a
half-written file or die on each other's temporary files. Every file is written to a unique
temporary name beside it and renamed over it, and a run holds an advisory lock on the folder
for its whole duration: a second run is told plainly that the folder is in use.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sdg_ci.errors import SdgCiError

LOCK_NAME = ".sdg-ci.lock"

# folders this process holds: a check that runs generation into its own folder re-enters
_held: dict[Path, int] = {}


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A unique temporary path beside `path`, renamed over it when the block succeeds
    (flushed to disk first) and removed when it fails: a reader sees the old file or the
    new one, never half of one, and two writers never share a temporary name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through `replacing()`."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def run_lock(folder: Path, command: str) -> Iterator[None]:
    """Hold `folder` for one run; another process's run there gets a one-line error."""
    folder.mkdir(parents=True, exist_ok=True)
    key = folder.resolve()
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, atomic writes only
        yield
        return
    with open(key / LOCK_NAME, "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise SdgCiError(
                f"{' '.join(str(folder).split())}: the output folder is in use by another "
                f"sdg-ci run; wait for it to finish or give this {command} another --out"
            ) from None
        _held[key] = 1
        try:
            yield
        finally:
            del _held[key]
