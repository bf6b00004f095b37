"""Catalog use cases, each run inside the caller's database transaction."""
