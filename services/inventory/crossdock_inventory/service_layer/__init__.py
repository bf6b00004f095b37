"""Use cases of the inventory service, each run inside the caller's database transaction."""
