"""`sdg-ci`: a thin shell over the library functions; one module per subcommand.

Exit status (DESIGN.md contract): 0 nothing wrong, 1 problems found, 2 usage error or
internal failure with a one-line reason (a traceback only with --debug).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from sdg_ci import __version__
from sdg_ci.errors import SdgCiError

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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
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
