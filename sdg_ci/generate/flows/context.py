"""The shared state of one run, as the flows see it: settings resolved for the scale, the
models, where documents are cached, and the progress display.

Why: a flow asks for "questions per seed" or "the critic" and never needs to know which
scale was picked or whether the model is embedded, remote, or shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sdg_ci.config import DocumentSettings, GenerateSettings
from sdg_ci.errors import SdgCiError
from sdg_ci.generate.ledger.progress import Progress
from sdg_ci.generate.model.client import ModelClient


@dataclass
class Scale:
    """The per-scale numbers, resolved once."""

    questions_per_seed: int
    contexts_per_seed: int
    questions_per_context: int
    questions_per_chunk: int
    max_chunks: int
    max_seeds: int


def resolve_scale(settings: GenerateSettings, scale: str) -> Scale:
    def pick(table: dict[str, int], name: str) -> int:
        if scale not in table:
            raise SdgCiError(f"generate.{name} has no value for scale {scale!r}")
        return int(table[scale])

    return Scale(
        questions_per_seed=pick(settings.questions_per_seed, "questions_per_seed"),
        contexts_per_seed=pick(settings.contexts_per_seed, "contexts_per_seed"),
        questions_per_context=settings.questions_per_context,
        questions_per_chunk=pick(settings.questions_per_chunk, "questions_per_chunk"),
        max_chunks=pick(settings.max_chunks, "max_chunks"),
        max_seeds=pick(settings.max_seeds, "max_seeds"),
    )


@dataclass
class RunContext:
    """What every leaf of a run shares; built once by `generate()`."""

    settings: GenerateSettings
    documents: DocumentSettings
    cache_dir: Path
    scale_name: str
    scale: Scale
    models: ModelClient
    progress: Progress | None = None
