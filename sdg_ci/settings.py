"""Settings: `.sdg-ci.yaml`, command-line overrides and the environment, merged in one place.

`check`, `generate` and `build` all get their `Config` from `load_settings`, so a flag means
the same in every command. The file's schema and readers are in `sdg_ci.config`; what the
environment says (GitHub Actions, the pull request's base) is read by the functions here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sdg_ci.config import SECTIONS, Config, ModelEndpoint, load_config, load_gates
from sdg_ci.errors import SdgCiError

# API-key variables masked in Actions whatever the settings file names
DEFAULT_SECRET_ENV = ("OPENAI_API_KEY", "SDG_CI_API_KEY")


@dataclass(frozen=True)
class ModelOverrides:
    """What the command line says about the models and the run; None: the file decides."""

    teacher_url: str | None = None
    teacher_model: str | None = None
    critic_url: str | None = None
    critic_model: str | None = None
    scale: str | None = None  # preview | full
    cache_dir: str | None = None  # resolved against the current folder

    def flags(self) -> list[tuple[str, str | None]]:
        """The model flags as `(--name, value)`, for a reproduce line."""
        return [
            ("--teacher-url", self.teacher_url),
            ("--teacher-model", self.teacher_model),
            ("--critic-url", self.critic_url),
            ("--critic-model", self.critic_model),
        ]


def apply_overrides(config: Config, overrides: ModelOverrides) -> Config:
    """`config` with the command-line overrides applied (a copy; `config` is unchanged).

    The one rule for every command: a flag replaces that field only. A critic flag starts
    from the configured critic, or else from the (overridden) teacher, so `--critic-url U`
    alone keeps the teacher's model name and `--critic-model M` alone its URL; a configured
    critic without a URL takes the teacher's.
    """
    config = config.model_copy(deep=True)
    gen = config.generate
    if overrides.teacher_url or overrides.teacher_model:
        gen.teacher = _endpoint(gen.teacher, overrides.teacher_url, overrides.teacher_model)
    if overrides.critic_url or overrides.critic_model:
        critic = _endpoint(gen.critic or gen.teacher, overrides.critic_url,
                           overrides.critic_model)
        if critic.url is None and gen.teacher.url:
            critic = critic.model_copy(update={"url": gen.teacher.url})
        gen.critic = critic
    if overrides.scale:
        gen.scale = overrides.scale  # type: ignore[assignment]
    if overrides.cache_dir:
        gen.cache_dir = str(Path(overrides.cache_dir).resolve())
    return config


def _endpoint(base: ModelEndpoint, url: str | None, model: str | None) -> ModelEndpoint:
    return base.model_copy(update={k: v for k, v in (("url", url), ("model", model)) if v})


def load_settings(
    root: Path,
    config_path: Path | None = None,
    overrides: ModelOverrides | None = None,
    gates_path: Path | None = None,
    sections: tuple[str, ...] = SECTIONS,
) -> Config:
    """`.sdg-ci.yaml` at `root` (or `config_path`), then the overrides, then the gates
    file (which replaces the `gates:` section). Only `sections` are read (see
    `load_config`): a command names the ones it uses."""
    config = apply_overrides(load_config(root, config_path, sections),
                             overrides or ModelOverrides())
    if gates_path is not None:
        config.gates = load_gates(gates_path)
    return config


def secret_env_names(root: Path, config_path: Path | None = None) -> list[str]:
    """Environment variables holding model API keys (their values get masked in Actions).

    Read before anything else can fail, so a broken settings file still masks the defaults.
    """
    names = set(DEFAULT_SECRET_ENV)
    try:
        gen = load_config(root, config_path, ("generate",)).generate
    except SdgCiError:
        return sorted(names)
    names.add(gen.teacher.api_key_env)
    if gen.critic is not None:
        names.add(gen.critic.api_key_env)
    return sorted(names)


# ------------------------------------------------------------------------ environment


def in_github_actions(environ: Mapping[str, str]) -> bool:
    """Running as a GitHub Actions step (the runner sets GITHUB_ACTIONS=true)."""
    return environ.get("GITHUB_ACTIONS") == "true"


def default_pr_base(base_ref: str | None) -> str | None:
    """`origin/<base branch>` for a pull request's base branch name (GITHUB_BASE_REF, or
    the event's `pull_request.base.ref`); None when there is none (not a pull request)."""
    ref = (base_ref or "").strip()
    return f"origin/{ref}" if ref else None
