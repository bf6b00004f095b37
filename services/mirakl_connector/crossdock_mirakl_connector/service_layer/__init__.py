"""Use cases of the Mirakl connector, each in its own transaction."""
