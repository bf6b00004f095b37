"""Use cases of order routing, each inside the caller's database transaction."""
