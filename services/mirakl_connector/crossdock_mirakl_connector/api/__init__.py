"""HTTP API of the Mirakl connector."""
