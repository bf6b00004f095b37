"""Entry point of the tiktok_connector service: `crossdock_tiktok_connector.main:app` for uvicorn, `run()` for the console script."""

from crossdock_common.service import create_app, run_service

import crossdock_tiktok_connector

app = create_app(service="tiktok_connector", description=crossdock_tiktok_connector.__doc__ or "")


def run() -> None:
    """Serve the tiktok_connector API on CROSSDOCK_TIKTOK_CONNECTOR_PORT (default 8112)."""
    run_service("crossdock_tiktok_connector.main:app", port_env="CROSSDOCK_TIKTOK_CONNECTOR_PORT", default_port=8112)
