"""The `backlinks` sub-commands, one module each."""
