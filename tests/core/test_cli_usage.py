"""A flag typo after a subcommand is reported with that subcommand's usage."""

import pytest

from sdg_ci.cli import main


@pytest.mark.parametrize(("argv", "usage", "near"), [
    (["generate", "--teacher-ulr", "http://x"], "usage: sdg-ci generate", "--teacher-url"),
    (["check", "--no-comentt"], "usage: sdg-ci check", "--no-comment"),
    (["validate", "--formt", "json"], "usage: sdg-ci validate", "--format"),
])
def test_a_flag_typo_prints_the_subcommands_usage_and_the_nearest_flag(capsys, argv, usage,
                                                                      near):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage)
    assert f"unrecognized arguments: {argv[1]}" in err and f"(did you mean {near}?)" in err
