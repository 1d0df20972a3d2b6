"""The embedded model's weights re-encoded from Q4_1 to Q8_0 (sdg_ci/generate/model/model_file.py),
on a small GGUF file made here."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np
import pytest
from gguf.quants import dequantize, quantize

from sdg_ci.generate.model import model_file

Q4_1, Q8_0 = gguf.GGMLQuantizationType.Q4_1, gguf.GGMLQuantizationType.Q8_0


def small_model(path: Path) -> np.ndarray:
    """A GGUF with metadata, one Q4_1 matrix and one F32 vector; returns the matrix's values."""
    rng = np.random.default_rng(7)
    weights = dequantize(quantize(rng.normal(0, 0.05, (8, 64)).astype(np.float32), Q4_1), Q4_1)
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(2048)
    writer.add_string("tokenizer.chat_template", "{{ messages }}")
    writer.add_array("tokenizer.ggml.tokens", ["a", "b", "c"])
    packed = quantize(weights, Q4_1)
    writer.add_tensor("blk.0.ffn_up.weight", packed, raw_shape=packed.shape, raw_dtype=Q4_1)
    writer.add_tensor("blk.0.attn_norm.weight", np.ones(64, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return weights


def test_q4_1_matrices_become_q8_0_with_the_same_values_and_metadata(tmp_path):
    source = tmp_path / "model.Q4_1.gguf"
    weights = small_model(source)
    served, note = model_file.prepared(source, tmp_path / "cache")

    assert served == tmp_path / "cache" / f"model.Q4_1-{source.stat().st_size}.Q8_0.gguf"
    assert "re-encoded from Q4_1 to Q8_0" in note
    reader = gguf.GGUFReader(str(served))
    tensors = {t.name: t for t in reader.tensors}
    assert tensors["blk.0.ffn_up.weight"].tensor_type == Q8_0
    assert tensors["blk.0.attn_norm.weight"].tensor_type == gguf.GGMLQuantizationType.F32
    values = dequantize(tensors["blk.0.ffn_up.weight"].data, Q8_0)
    # within half a Q8_0 step of each block's largest weight
    step = np.abs(weights.reshape(-1, 32)).max(axis=1, keepdims=True) / 127
    assert np.all(np.abs(values.reshape(-1, 32) - weights.reshape(-1, 32)) <= step * 0.51 + 1e-7)
    assert reader.fields["llama.context_length"].contents() == 2048
    assert reader.fields["tokenizer.chat_template"].contents() == "{{ messages }}"
    assert reader.fields["tokenizer.ggml.tokens"].contents() == ["a", "b", "c"]


def test_the_copy_is_made_once(tmp_path, monkeypatch):
    source = tmp_path / "model.Q4_1.gguf"
    small_model(source)
    first, _ = model_file.prepared(source, tmp_path / "cache")

    def again(*_args):
        raise AssertionError("re-encoded a second time")

    monkeypatch.setattr(model_file, "reencode", again)
    assert model_file.prepared(source, tmp_path / "cache")[0] == first


def test_a_failed_copy_leaves_nothing_behind_and_the_original_is_served(tmp_path, monkeypatch):
    source = tmp_path / "model.Q4_1.gguf"
    small_model(source)
    cache = tmp_path / "cache"

    def crash(self, *_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gguf.GGUFWriter, "write_tensor_data", crash)
    served, note = model_file.prepared(source, cache)
    assert served == source
    assert "served as they are" in note and "No space left on device" in note
    assert list(cache.iterdir()) == []  # no partial file where a model is expected


def test_a_file_that_is_not_gguf_is_served_as_it_is(tmp_path):
    source = tmp_path / "model.gguf"
    source.write_bytes(b"not a gguf file")
    served, note = model_file.prepared(source, tmp_path / "cache")
    assert served == source and "served as they are" in note


def test_the_cache_follows_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert model_file.cache_home() == tmp_path / "sdg-ci" / "models"


@pytest.mark.slow
def test_the_packaged_model_is_re_encoded(tmp_path):
    from sdg_ci.generate.model.embedded import model_path

    served, _ = model_file.prepared(model_path(), tmp_path)
    types = {t.tensor_type for t in gguf.GGUFReader(str(served)).tensors}
    assert Q4_1 not in types and Q8_0 in types
