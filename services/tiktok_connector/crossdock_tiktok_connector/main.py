"""Entry point of the tiktok_connector service: `crossdock_tiktok_connector.main:app` for uvicorn, `run()` for the console script."""

from pathlib import Path

from crossdock_common.service import ServiceDefinition, create_app, run_service
from fastapi import FastAPI

import crossdock_tiktok_connector
from crossdock_tiktok_connector.api.routes import router
from crossdock_tiktok_connector.consumers import CONSUMERS
from crossdock_tiktok_connector.service.worker import SyncWorker
from crossdock_tiktok_connector.settings import TikTokConnectorSettings

DEFINITION = ServiceDefinition(
    name="tiktok_connector",
    schema="tiktok",
    description=crossdock_tiktok_connector.__doc__ or "",
    migrations=Path(__file__).parent / "migrations",
    routers=[router],
    consumers=CONSUMERS,
    background=[SyncWorker],
    settings_class=TikTokConnectorSettings,
)


def build_app(settings: TikTokConnectorSettings | None = None) -> FastAPI:
    """Build the service app; settings come from the environment unless given."""
    app = create_app(DEFINITION, settings=settings)
    # Deployment checks read the definition to list the environment variables this service reads.
    app.state.definition = DEFINITION
    return app


app = build_app()


def run() -> None:
    """Serve the tiktok_connector API on CROSSDOCK_TIKTOK_CONNECTOR_PORT (default 8112)."""
    run_service("crossdock_tiktok_connector.main:app", port_env="CROSSDOCK_TIKTOK_CONNECTOR_PORT", default_port=8112)
