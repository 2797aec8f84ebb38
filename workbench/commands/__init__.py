"""The `cpo` subcommands, one module per command or command group."""
