"""The `benchcouncil` command-line client (the benchcouncil-client distribution)."""
