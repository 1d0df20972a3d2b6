"""`sdg-ci generate` (being built; see the issue tracker)."""

from sdg_ci.errors import SdgCiError


def register(sub) -> None:
    parser = sub.add_parser("generate", help="(not built yet)")
    parser.set_defaults(func=run)


def run(args) -> int:
    raise SdgCiError("'sdg-ci generate' is not built yet")
