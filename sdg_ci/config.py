"""`.sdg-ci.yaml` at the taxonomy root: every setting in one pydantic model, and the
readers of that file and of a separate gates file.

Each section belongs to one stage of the data flow (validate, documents, generate, gates).
Unknown keys are errors, so a typo is caught. Command-line overrides and the environment
are merged in by `sdg_ci.settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sdg_ci.errors import SdgCiError

CONFIG_NAME = ".sdg-ci.yaml"
_M = TypeVar("_M", bound=BaseModel)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ValidateSettings(_Section):
    profile: Literal["taxonomy-ci", "ilab"] = "taxonomy-ci"
    max_file_bytes: int = 1024 * 1024
    # rule code -> "error" | "warning" | "off", e.g. {"Q301": "error"}
    rules: dict[str, Literal["error", "warning", "off"]] = Field(default_factory=dict)


class DocumentSettings(_Section):
    # repo URL -> local path (a git repo): fetch documents from there instead of the network
    mirrors: dict[str, str] = Field(default_factory=dict)
    # repo URL -> a folder of files (relative to the taxonomy root): sdg_ci builds a git repo
    # from it with a fixed author and date, so the commit SHA depends only on the files
    # (sdg_ci/taxonomy/documents.py: build_snapshot_repo); the example taxonomy uses it
    snapshots: dict[str, str] = Field(default_factory=dict)
    fetch_timeout_s: float = 300.0
    max_document_bytes: int = 50 * 1024 * 1024
    max_pdf_pages: int = 500
    max_documents: int = Field(200, ge=1)  # .md/.pdf files a leaf's patterns may match
    pdf_timeout_s: float = Field(60.0, gt=0)  # converting one document
    leaf_timeout_s: float = Field(180.0, gt=0)  # converting all of one leaf's documents
    chunk_tokens: int = Field(800, ge=32)  # estimated tokens per chunk (chunking.py)


class ModelEndpoint(_Section):
    """An OpenAI-compatible endpoint; no `url` means the embedded default model."""

    # e.g. http://localhost:8000/v1 (vLLM), http://localhost:11434/v1; a list: replicas of
    # one model, each request goes to the least-loaded live one
    url: str | list[str] | None = None
    model: str | None = None
    api_key_env: str = "OPENAI_API_KEY"  # the variable holding the key; the key is never logged
    timeout_s: float = 120.0
    # an optional ceiling; the limit finds the server's capacity by itself (limiter.py)
    max_concurrency: int | None = Field(None, ge=1)
    context_window: int | None = None  # tokens; None: 8192 for a remote server
    structured_output: Literal["auto", "json_schema", "none"] = "auto"
    # how requests travel: auto (= aiohttp, the cheapest client per request, measured by
    # bench/client_bench.py), the openai package's client, or a lean HTTP/1.1 client for
    # plain http:// servers
    client: Literal["auto", "aiohttp", "openai", "fast"] = "auto"

    @field_validator("url")
    @classmethod
    def _replicas(cls, url: str | list[str] | None) -> str | list[str] | None:
        if isinstance(url, list):
            if not url or not all(u.strip() for u in url):
                raise ValueError("a list of URLs must name at least one, none empty")
            return url[0] if len(url) == 1 else url
        return url

    @property
    def urls(self) -> list[str]:
        """Every replica's base URL (none: the embedded model)."""
        if self.url is None:
            return []
        return [self.url] if isinstance(self.url, str) else list(self.url)


class EmbeddedSettings(_Section):
    """The embedded default (SmolLM2-135M via llama.cpp): a smoke test, not real data."""

    # llama.cpp slots (each with a 4096-token context) and threads; None: the cores
    # available (CPU affinity less the load average), at most 4
    parallel: int | None = Field(None, ge=1)
    threads: int | None = Field(None, ge=1)
    max_tokens: int = 256  # reply cap: a 135M model rambles on; its long replies add nothing


class GenerateSettings(_Section):
    teacher: ModelEndpoint = Field(default_factory=ModelEndpoint)
    critic: ModelEndpoint | None = None  # None: same as the teacher
    embedded: EmbeddedSettings = Field(default_factory=EmbeddedSettings)
    scale: Literal["preview", "full"] = "preview"
    # per scale (preview: a pull-request run; full: a dataset build)
    questions_per_seed: dict[str, int] = Field(
        default_factory=lambda: {"preview": 5, "full": 30}
    )
    contexts_per_seed: dict[str, int] = Field(default_factory=lambda: {"preview": 2, "full": 10})
    questions_per_chunk: dict[str, int] = Field(default_factory=lambda: {"preview": 3, "full": 10})
    max_chunks: dict[str, int] = Field(default_factory=lambda: {"preview": 3, "full": 0})  # 0: all
    max_seeds: dict[str, int] = Field(default_factory=lambda: {"preview": 0, "full": 0})  # 0: all
    questions_per_context: int = 3
    questions_per_call: int = 5  # questions asked of the teacher in one request
    use_n: bool = True  # ask for several samples in one request (n > 1)
    min_pair_rating: int = 2
    min_relevancy: int = 2  # knowledge
    near_duplicate_threshold: float = 0.8  # Jaccard over words and word pairs
    parse_retries: int = 2  # re-asks (new seed) for a reply that does not parse
    request_retries: int = 4  # per request, on timeouts, 429, 5xx, broken replies
    retry_backoff_s: float = 0.5  # first backoff; doubles per retry (a Retry-After wins)
    give_up_after_s: float = 60.0  # an endpoint failing this long is treated as down
    seed: int = 42
    cache_dir: str = ".sdg-ci-cache"  # relative to the taxonomy root
    progress_interval_s: float = 10.0  # log-line period when stderr is not a terminal


class GateSettings(_Section):
    """Quality gates for one leaf; `null` turns a gate off (see sdg_ci/report/gates.py)."""

    min_kept_pairs: int | None = 1
    min_mean_rating: float | None = 2.0
    max_parse_failure_rate: float | None = 0.5
    max_duplicate_rate: float | None = 0.5
    min_faithfulness_rate: float | None = 0.5  # knowledge leaves only


class GateOverrides(GateSettings):
    """A subtree's changes to the defaults: only the keys it names (null turns one off)."""


class GatesConfig(_Section):
    default: GateSettings = Field(default_factory=GateSettings)
    # taxonomy subtree prefix -> overrides, e.g. {"knowledge/science": {"min_kept_pairs": 5}};
    # a leaf takes the defaults, then every matching subtree from the shortest to the longest
    subtrees: dict[str, GateOverrides] = Field(default_factory=dict)


class Config(_Section):
    validate_: ValidateSettings = Field(default_factory=ValidateSettings, alias="validate")
    documents: DocumentSettings = Field(default_factory=DocumentSettings)
    generate: GenerateSettings = Field(default_factory=GenerateSettings)
    gates: GatesConfig = Field(default_factory=GatesConfig)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def load_config(root: Path, path: Path | None = None) -> Config:
    """Read `.sdg-ci.yaml` (or `path`); a missing file gives the defaults."""
    file = path or (root / CONFIG_NAME)
    if not file.is_file():
        if path is not None:
            raise SdgCiError(f"{file}: config file not found")
        return Config()
    data = _read_mapping(file, "config")
    return _validated(Config, data, file, "")


def load_gates(path: Path) -> GatesConfig:
    """A gates file: either a whole `.sdg-ci.yaml` (its `gates:` section) or just the
    section (`default:` / `subtrees:`)."""
    data = _read_mapping(path, "the gates config")
    if "gates" in data:
        data = data["gates"] or {}
    return _validated(GatesConfig, data, path, "gates.")


def _read_mapping(file: Path, what: str) -> dict:
    """The YAML mapping in `file`; an SdgCiError naming the file otherwise."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise SdgCiError(f"{file}: cannot read {what}: {exc}") from exc
    if not isinstance(data, dict):
        raise SdgCiError(f"{file}: the top level must be a mapping")
    return data


def _validated(model: type[_M], data: dict, file: Path, prefix: str) -> _M:
    """`data` as `model`; the first error as `FILE: PREFIX.where: message`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SdgCiError(f"{file}: {prefix}{where}: {first['msg']}") from exc
