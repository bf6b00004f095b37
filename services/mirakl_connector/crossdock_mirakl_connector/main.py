"""Entry point of the mirakl_connector service: `crossdock_mirakl_connector.main:app` for uvicorn, `run()` for the console script."""

from crossdock_common.service import create_app, run_service

import crossdock_mirakl_connector

app = create_app(service="mirakl_connector", description=crossdock_mirakl_connector.__doc__ or "")


def run() -> None:
    """Serve the mirakl_connector API on CROSSDOCK_MIRAKL_CONNECTOR_PORT (default 8111)."""
    run_service("crossdock_mirakl_connector.main:app", port_env="CROSSDOCK_MIRAKL_CONNECTOR_PORT", default_port=8111)
