"""Entry point of the order_routing service: `crossdock_order_routing.main:app` for uvicorn, `run()` for the console script."""

from crossdock_common.service import create_app, run_service

import crossdock_order_routing

app = create_app(service="order_routing", description=crossdock_order_routing.__doc__ or "")


def run() -> None:
    """Serve the order_routing API on CROSSDOCK_ORDER_ROUTING_PORT (default 8103)."""
    run_service("crossdock_order_routing.main:app", port_env="CROSSDOCK_ORDER_ROUTING_PORT", default_port=8103)
