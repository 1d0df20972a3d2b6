"""One module per subcommand: `register(subparsers)` adds its flags, `options_from_args`
turns them into the command's typed options, and `run(root, options) -> int` runs it on the
taxonomy root that `sdg_ci.cli` resolved. Only these modules see argparse objects.

The library a command drives (check, build, generation) is imported inside `run`, on
purpose: `sdg-ci validate` should not pay to import the model client at start-up.
"""
