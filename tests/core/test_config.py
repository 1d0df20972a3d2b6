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


def test_unknown_key_names_file_line_and_the_nearest_key(tmp_path):
    (tmp_path / ".sdg-ci.yaml").write_text("# settings\nvalidate:\n  profil: ilab\n")
    with pytest.raises(SdgCiError) as exc:
        load_config(tmp_path)
    message = str(exc.value)
    assert message.startswith(f"{tmp_path / '.sdg-ci.yaml'}:3: validate.profil: Extra inputs")
    assert "(did you mean `profile`?)" in message and "valid keys: profile," in message


@pytest.mark.parametrize(("text", "start", "hint"), [
    ("generate:\n  questions_per_seed: 3\n", ":2: generate.questions_per_seed: Input should "
     "be a valid dictionary", "expected a mapping (dict[str, int]), e.g. `questions_per_seed: "
     "{preview: 5, full: 30}`"),
    ("generate:\n  teacher:\n    urll: http://x\n", ":3: generate.teacher.urll:",
     "(did you mean `url`?)"),
    ("gates:\n  subtrees:\n    knowledge:\n      min_kept_pair: 3\n",
     ":4: gates.subtrees.knowledge.min_kept_pair:", "(did you mean `min_kept_pairs`?)"),
    ("generat:\n  scale: full\n", ":1: generat:", "(did you mean `generate`?)"),
    ("generate:\n  min_pair_rating: high\n", ":2: generate.min_pair_rating:",
     "expected int, e.g. `min_pair_rating: 2`"),
])
def test_config_errors_say_where_and_what_was_expected(tmp_path, text, start, hint):
    (tmp_path / ".sdg-ci.yaml").write_text(text)
    with pytest.raises(SdgCiError) as exc:
        load_config(tmp_path)
    message = str(exc.value)
    assert message.startswith(str(tmp_path / ".sdg-ci.yaml") + start), message
    assert hint in message


def test_a_command_reads_only_the_sections_it_uses(tmp_path):
    (tmp_path / ".sdg-ci.yaml").write_text(
        "validate:\n  profile: ilab\ngenerate:\n  questions_per_seed: 3\n")
    assert load_config(tmp_path, sections=("validate",)).validate_.profile == "ilab"
    with pytest.raises(SdgCiError, match="questions_per_seed"):
        load_config(tmp_path, sections=("generate",))
    (tmp_path / ".sdg-ci.yaml").write_text("validat:\n  profile: ilab\n")
    with pytest.raises(SdgCiError, match="did you mean `validate`"):  # top level: always
        load_config(tmp_path, sections=("validate",))


def test_top_level_must_be_a_mapping(tmp_path):
    (tmp_path / ".sdg-ci.yaml").write_text("- a\n")
    with pytest.raises(SdgCiError, match="the top level must be a mapping"):
        load_config(tmp_path)
