"""Pure rules of the Mirakl connector: settings, order mapping and paging checks (no I/O)."""
