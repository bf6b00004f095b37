"""Entry point of the inventory service: `crossdock_inventory.main:app` for uvicorn, `run()` for the console script."""

from crossdock_common.service import create_app, run_service

import crossdock_inventory

app = create_app(service="inventory", description=crossdock_inventory.__doc__ or "")


def run() -> None:
    """Serve the inventory API on CROSSDOCK_INVENTORY_PORT (default 8102)."""
    run_service("crossdock_inventory.main:app", port_env="CROSSDOCK_INVENTORY_PORT", default_port=8102)
