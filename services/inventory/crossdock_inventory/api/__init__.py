"""HTTP routers of the inventory service."""
