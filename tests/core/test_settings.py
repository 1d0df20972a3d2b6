"""Settings: one override rule for every command, the gates file, the environment."""

from pathlib import Path

import pytest

from sdg_ci.cli import build_parser
from sdg_ci.commands import check as check_command
from sdg_ci.commands import generate as generate_command
from sdg_ci.errors import SdgCiError
from sdg_ci.settings import (
    ModelOverrides,
    default_pr_base,
    in_github_actions,
    load_settings,
    secret_env_names,
)

TEACHER = "http://127.0.0.1:9/v1"
CRITIC = "http://127.0.0.1:10/v1"


def _config(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / ".sdg-ci.yaml").write_text(text)
    return root


def test_critic_url_alone_reuses_the_teachers_model(tmp_path):
    root = _config(tmp_path, f"generate:\n  teacher:\n    url: {TEACHER}\n    model: big\n")
    critic = load_settings(root, overrides=ModelOverrides(critic_url=CRITIC)).generate.critic
    assert (critic.url, critic.model) == (CRITIC, "big")


def test_critic_model_alone_reuses_the_teachers_url(tmp_path):
    overrides = ModelOverrides(teacher_url=TEACHER, teacher_model="big", critic_model="judge")
    config = load_settings(tmp_path, overrides=overrides)
    assert (config.generate.critic.url, config.generate.critic.model) == (TEACHER, "judge")
    assert config.generate.teacher.model == "big"


def test_a_configured_critic_keeps_its_other_fields(tmp_path):
    root = _config(tmp_path, "generate:\n  critic:\n    model: judge\n    timeout_s: 5\n")
    critic = load_settings(root, overrides=ModelOverrides(critic_url=CRITIC)).generate.critic
    assert (critic.url, critic.model, critic.timeout_s) == (CRITIC, "judge", 5)


@pytest.mark.parametrize("command", ["check", "generate"])
def test_check_and_generate_read_the_critic_flags_alike(tmp_path, command):
    """`--critic-url U` means the same in both commands (it used to fail in check)."""
    root = _config(tmp_path, f"generate:\n  teacher:\n    url: {TEACHER}\n    model: big\n")
    args = build_parser().parse_args([command, "--critic-url", CRITIC]
                                     + (["x/qna.yaml"] if command == "generate" else []))
    module = check_command if command == "check" else generate_command
    options = module.options_from_args(args)
    models = options.check.models if command == "check" else options.models
    critic = load_settings(root, overrides=models).generate.critic
    assert (critic.url, critic.model) == (CRITIC, "big")


def test_overrides_do_not_change_the_file_config(tmp_path):
    root = _config(tmp_path, "generate:\n  scale: preview\n")
    assert load_settings(root, overrides=ModelOverrides(scale="full")).generate.scale == "full"
    assert load_settings(root).generate.scale == "preview"


def test_gates_file_replaces_the_section_with_the_same_errors(tmp_path):
    root = _config(tmp_path, "gates:\n  default:\n    min_kept_pairs: 3\n")
    gates = tmp_path / "gates.yaml"
    gates.write_text("default:\n  min_kept_pairs: 9\n")
    assert load_settings(root, gates_path=gates).gates.default.min_kept_pairs == 9
    gates.write_text("- a\n")
    with pytest.raises(SdgCiError, match=r"gates\.yaml: the top level must be a mapping"):
        load_settings(root, gates_path=gates)


def test_secret_names_survive_a_broken_config(tmp_path):
    root = _config(tmp_path, "generate:\n  teacher:\n    api_key_env: MY_KEY\n")
    assert "MY_KEY" in secret_env_names(root)
    _config(tmp_path, "nonsense: [\n")
    assert secret_env_names(root) == ["OPENAI_API_KEY", "SDG_CI_API_KEY"]


def test_environment():
    assert in_github_actions({"GITHUB_ACTIONS": "true"})
    assert not in_github_actions({"GITHUB_ACTIONS": "1", "CI": "true"})
    assert default_pr_base("main") == "origin/main"
    assert default_pr_base("  ") is None
    assert default_pr_base(None) is None
