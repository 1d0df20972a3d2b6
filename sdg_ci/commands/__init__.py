"""One module per subcommand, each with `register(subparsers)` and a `run(args) -> int`."""
