"""Command groups of the `flask` CLI, one module per feature."""
