"""One module per subcommand: `register(subparsers)` adds its flags, `options_from_args`
turns them into the command's typed options, and `run(root, options) -> int` runs it on the
taxonomy root that `sdg_ci.cli` resolved. Only these modules see argparse objects.

The library a command drives (check, build, generation) is imported inside `run`, on
purpose: `sdg-ci validate` should not pay to import the model client at start-up.
"""

from __future__ import annotations

import argparse

from sdg_ci.settings import ModelOverrides


def model_overrides(args: argparse.Namespace, cache_dir: str | None = None) -> ModelOverrides:
    """The model flags `check` and `generate` share (`--teacher-url` ... `--scale`)."""
    return ModelOverrides(
        teacher_url=args.teacher_url,
        teacher_model=args.teacher_model,
        critic_url=args.critic_url,
        critic_model=args.critic_model,
        scale=args.scale,
        cache_dir=cache_dir,
    )
