"""`.sdg-ci.yaml` at the taxonomy root: every setting in one pydantic model, and the
readers of that file and of a separate gates file.

Each section belongs to one stage of the data flow (validate, documents, generate, gates).
Unknown keys are errors, so a typo is caught. Command-line overrides and the environment
are merged in by `sdg_ci.settings`.
"""

from __future__ import annotations

import difflib
from pathlib import Path, PurePosixPath
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sdg_ci.errors import SdgCiError

CONFIG_NAME = ".sdg-ci.yaml"
_M = TypeVar("_M", bound=BaseModel)



SubtreeValue = TypeVar("SubtreeValue")


def subtree_matches(leaf: str, subtrees: dict[str, SubtreeValue]) -> list[SubtreeValue]:
    """The values of every subtree prefix that contains `leaf` (a taxonomy path, or a leaf
    file's path), shortest prefix first: how gates and build targets are overridden."""
    parts = PurePosixPath(leaf).parts
    found = []
    for prefix, value in subtrees.items():
        p = PurePosixPath(prefix.strip("/")).parts
        if p and tuple(parts[: len(p)]) == p:
            found.append((len(p), prefix, value))
    return [v for _, _, v in sorted(found, key=lambda m: (m[0], m[1]))]

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
    # (sdg_ci/taxonomy/documents/snapshots.py: build_snapshot_repo); the example taxonomy uses it
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

    # llama.cpp slots (each with a 4096-token context) and threads; None: one slot (the same
    # data on every run) and threads for the usable cores (affinity, cgroup quota; at most 4)
    parallel: int | None = Field(None, ge=1)
    threads: int | None = Field(None, ge=1)
    # reply cap: a 135M model rambles on; in three demo runs (162 replies) every reply
    # longer than 131 tokens but one ran to its cap (256, or 200 for a rating)
    max_tokens: int = 160


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


class BuildOverrides(_Section):
    """A subtree's changes for `build`: its targets per scale and its weight in the mix."""

    targets: dict[str, int] | None = None  # per scale, e.g. {"full": 200}
    weight: float | None = Field(None, ge=0)


class BuildSettings(_Section):
    """`sdg-ci build`'s balance: every leaf aims for a target of kept rows (see
    sdg_ci/build/balance.py); short leaves are topped up, rich ones selected down."""

    targets: dict[str, int] = Field(default_factory=lambda: {"preview": 10, "full": 100})
    max_rounds: int = Field(3, ge=0)  # top-up rounds per leaf and build
    # a round adding fewer new rows than this share of what is missing: the source is spent
    min_round_yield: float = Field(0.1, ge=0, le=1)
    # taxonomy subtree prefix -> overrides, applied from the shortest prefix to the longest
    subtrees: dict[str, BuildOverrides] = Field(default_factory=dict)

    def matching(self, leaf: str) -> list[BuildOverrides]:
        """The subtrees containing `leaf` (a taxonomy path), shortest prefix first."""
        return subtree_matches(leaf, self.subtrees)

    def target_for(self, leaf: str, scale: str) -> int:
        """Kept rows the leaf aims for at `scale` (its generation target; weights aside)."""
        if scale not in self.targets:
            raise SdgCiError(f"build.targets has no value for scale {scale!r}")
        target = self.targets[scale]
        for overrides in self.matching(leaf):
            if overrides.targets and scale in overrides.targets:
                target = overrides.targets[scale]
        return max(0, int(target))

    def weight_for(self, leaf: str) -> float:
        """The leaf's weight in train.jsonl's mix (1.0 unless a subtree sets one)."""
        weight = 1.0
        for overrides in self.matching(leaf):
            if overrides.weight is not None:
                weight = overrides.weight
        return weight

    def rows_wanted(self, leaf: str, scale: str) -> int:
        """Rows the leaf puts in train.jsonl: its target times its weight."""
        return round(self.target_for(leaf, scale) * self.weight_for(leaf))


class Config(_Section):
    validate_: ValidateSettings = Field(default_factory=ValidateSettings, alias="validate")
    documents: DocumentSettings = Field(default_factory=DocumentSettings)
    generate: GenerateSettings = Field(default_factory=GenerateSettings)
    gates: GatesConfig = Field(default_factory=GatesConfig)
    build: BuildSettings = Field(default_factory=BuildSettings)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


SECTIONS = ("validate", "documents", "generate", "gates", "build")


def load_config(root: Path, path: Path | None = None,
                sections: tuple[str, ...] = SECTIONS) -> Config:
    """Read `.sdg-ci.yaml` (or `path`); a missing file gives the defaults.

    Only `sections` are checked and read (the others keep their defaults): a typo under
    `generate:` must not stop `validate` or the pre-commit hook, which never use it. The
    top-level keys are always checked.
    """
    file = path or (root / CONFIG_NAME)
    if not file.is_file():
        if path is not None:
            raise SdgCiError(f"{file}: config file not found")
        return Config()
    data = _read_mapping(file, "config")
    unknown = [k for k in data if k not in SECTIONS]
    if unknown:
        _validated(Config, {unknown[0]: data[unknown[0]]}, file, "")
    wanted = {k: v for k, v in data.items() if k in sections}
    return _validated(Config, wanted, file, "")


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
    """`data` as `model`; the first error as `FILE:LINE: PREFIX.where: message`, with the
    nearest valid key for a typo and the expected shape for a wrong value."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        where = ".".join(str(p) for p in loc)
        line = _line_of(file, prefix, loc)
        at = f"{file}:{line}" if line else str(file)
        hint = _hint(model, loc, first)
        raise SdgCiError(f"{at}: {prefix}{where}: {first['msg']}{hint}") from exc


def _line_of(file: Path, prefix: str, loc: tuple) -> int | None:
    """The 1-based line of the key at `loc` (under `prefix`) in the YAML file, if found."""
    try:
        node = yaml.compose(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return None
    path = [p for p in prefix.split(".") if p] + [str(p) for p in loc]
    line = None
    for part in path:
        if not isinstance(node, yaml.MappingNode):
            break
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                line, node = key.start_mark.line + 1, value
                break
        else:
            break
    return line


def _hint(model: type[BaseModel], loc: tuple, error: dict) -> str:
    """' (did you mean `profile`?)' for an unknown key; the expected shape for a bad value."""
    owner, field_name = _owner(model, loc)
    if owner is None:
        return ""
    names = [f.alias or name for name, f in owner.model_fields.items()]
    if error["type"] == "extra_forbidden":
        near = difflib.get_close_matches(str(field_name), names, n=1, cutoff=0.6)
        valid = ", ".join(names)
        return (f" (did you mean `{near[0]}`?)" if near else "") + f"; valid keys: {valid}"
    field = _field(owner, field_name)
    if field is None:
        return ""
    shape = str(field.annotation).replace("typing.", "").replace("<class '", "").replace(
        "'>", "")
    if getattr(field.annotation, "__origin__", None) is dict:
        shape = f"a mapping ({shape})"
    default = field.get_default(call_default_factory=True)
    if isinstance(default, BaseModel):
        default = default.model_dump(by_alias=True)
    example = yaml.safe_dump({str(field_name): default}, default_flow_style=True,
                             sort_keys=False, width=1000).strip()
    example = example.removeprefix("{").removesuffix("}")
    return f"; expected {shape}, e.g. `{example}`"


def _field(owner: type[BaseModel], name: object):
    for field_name, field in owner.model_fields.items():
        if name in (field_name, field.alias):
            return field
    return None


def _owner(model: type[BaseModel], loc: tuple) -> tuple[type[BaseModel] | None, object]:
    """The model that holds the last named key of `loc`, and that key."""
    owner: type[BaseModel] = model
    for i, part in enumerate(loc):
        field = _field(owner, part)
        rest = loc[i + 1:]
        if field is None or not rest:
            return owner, part
        annotation = field.annotation
        inner = [a for a in getattr(annotation, "__args__", ()) if isinstance(a, type)
                 and issubclass(a, BaseModel)]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            owner = annotation
        elif inner:  # dict[str, Model] or Model | None
            owner = inner[-1]
            if getattr(annotation, "__origin__", None) is dict:
                rest = rest[1:]
                if not rest:
                    return None, None
                return _owner(owner, rest)
        else:
            return owner, part
    return owner, loc[-1] if loc else None
