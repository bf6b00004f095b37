"""Entry point of the catalog service: `crossdock_catalog.main:app` for uvicorn, `run()` for the console script."""

from crossdock_common.service import create_app, run_service

import crossdock_catalog

app = create_app(service="catalog", description=crossdock_catalog.__doc__ or "")


def run() -> None:
    """Serve the catalog API on CROSSDOCK_CATALOG_PORT (default 8101)."""
    run_service("crossdock_catalog.main:app", port_env="CROSSDOCK_CATALOG_PORT", default_port=8101)
