"""`sdg-ci`: a thin shell over the library functions; one module per subcommand.

The CLI resolves the taxonomy root once (`-C PATH`, else the nearest folder above the
current one holding compositional_skills/ or knowledge/) and hands the command its typed
options (see sdg_ci/commands/). Exit status (docs/architecture.md): 0 nothing wrong,
1 problems found, 2 usage error or internal failure with a one-line reason (a traceback
only with --debug).
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys
from pathlib import Path

from sdg_ci import __version__
from sdg_ci.errors import SdgCiError
from sdg_ci.taxonomy.root import taxonomy_root as resolve_taxonomy_root

COMMANDS = ("validate", "diff", "generate", "check", "build", "report")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sdg-ci",
        description="Validate an InstructLab-style taxonomy and grow scored synthetic data "
        "from its changes.",
    )
    parser.add_argument("--version", action="version", version=f"sdg-ci {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on failure")
    parser.add_argument(
        "-C",
        "--taxonomy",
        metavar="PATH",
        default=None,
        help="taxonomy root (default: the nearest folder above the current one holding "
        "compositional_skills/ or knowledge/)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"sdg_ci.commands.{name}").register(sub)
    parser.set_defaults(_commands=sub.choices)
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The flags; an unknown one after a subcommand is reported with that subcommand's usage
    and the nearest flag it has (argparse alone prints the top-level usage)."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        command = args._commands[args.command]
        flags = [f for action in command._actions for f in action.option_strings]
        near = [m for e in extra if e.startswith("-")
                for m in difflib.get_close_matches(e.split("=", 1)[0], flags, n=1)]
        hint = f" (did you mean {near[0]}?)" if near else ""
        command.error(f"unrecognized arguments: {' '.join(extra)}{hint}")
    return args


def taxonomy_root(flag: str | None) -> Path:
    """The taxonomy root a command works on: `-C PATH`, else found above the cwd; a folder
    that is not a taxonomy is a usage error (see `taxonomy.root.taxonomy_root`)."""
    return resolve_taxonomy_root(flag)


def _run(args: argparse.Namespace) -> int:
    """Build the command's options from its flags and run it on the taxonomy root."""
    command = importlib.import_module(f"sdg_ci.commands.{args.command}")
    options = command.options_from_args(args)
    if getattr(command, "ROOTS_FROM_PATHS", False):
        # `validate PATH...` finds each path's own root; -C (if given) names the one root
        return int(command.run(args.taxonomy, options) or 0)
    return int(command.run(taxonomy_root(args.taxonomy), options) or 0)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parse(parser, argv)
    try:
        return _run(args)
    except SdgCiError as exc:
        if args.debug:
            raise
        print(f"sdg-ci: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sdg-ci: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the contract: one line, not a traceback
        if args.debug:
            raise
        print(
            f"sdg-ci: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
