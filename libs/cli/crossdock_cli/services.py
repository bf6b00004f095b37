"""Base URLs of the services for the CLI: `CROSSDOCK_<SERVICE>_URL`, else the local default port."""

import os

DEFAULT_PORTS = {
    "catalog": 8101,
    "inventory": 8102,
    "order_routing": 8103,
    "mirakl_connector": 8111,
    "tiktok_connector": 8112,
}


def service_url(service: str) -> str:
    """Return the base URL of `service`, e.g. http://127.0.0.1:8101 for catalog."""
    if service not in DEFAULT_PORTS:
        raise ValueError(f"unknown service {service!r}; use one of {sorted(DEFAULT_PORTS)}")
    override = os.environ.get(f"CROSSDOCK_{service.upper()}_URL")
    return (override or f"http://127.0.0.1:{DEFAULT_PORTS[service]}").rstrip("/")
