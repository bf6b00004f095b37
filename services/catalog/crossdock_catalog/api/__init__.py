"""HTTP API of the catalog service."""
