"""`.sdg-ci.yaml`: defaults, sections, and errors that name the file and the key."""

import pytest

from sdg_ci.config import Config, load_config
from sdg_ci.errors import SdgCiError


def test_missing_file_gives_defaults(tmp_path):
    assert load_config(tmp_path) == Config()


def test_sections_are_read(tmp_path):
    (tmp_path / ".sdg-ci.yaml").write_text(
        "validate:\n  profile: ilab\ngates:\n  default:\n    min_kept_pairs: 4\n"
    )
    config = load_config(tmp_path)
    assert config.validate_.profile == "ilab"
    assert config.gates.default.min_kept_pairs == 4


def test_unknown_key_names_file_and_place(tmp_path):
    (tmp_path / ".sdg-ci.yaml").write_text("validate:\n  profil: ilab\n")
    with pytest.raises(SdgCiError, match=r"\.sdg-ci\.yaml: validate\.profil: Extra inputs"):
        load_config(tmp_path)


def test_top_level_must_be_a_mapping(tmp_path):
    (tmp_path / ".sdg-ci.yaml").write_text("- a\n")
    with pytest.raises(SdgCiError, match="the top level must be a mapping"):
        load_config(tmp_path)
