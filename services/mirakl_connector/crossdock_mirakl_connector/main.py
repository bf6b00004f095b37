"""Entry point of the mirakl_connector service.

`crossdock_mirakl_connector.main:app` serves uvicorn and `run()` the console script.
"""

from pathlib import Path

from crossdock_common.service import ServiceDefinition, create_app, run_service
from fastapi import FastAPI

import crossdock_mirakl_connector
from crossdock_mirakl_connector.api.integrations import router
from crossdock_mirakl_connector.consumers import CONSUMER
from crossdock_mirakl_connector.service_layer.worker import Worker
from crossdock_mirakl_connector.settings import MiraklConnectorSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="mirakl_connector",
        schema="mirakl",
        description=crossdock_mirakl_connector.__doc__ or "",
        migrations=MIGRATIONS,
        routers=[router],
        consumers=[CONSUMER],
        background=[Worker],
        settings_class=MiraklConnectorSettings,
    )


def build_app(settings: MiraklConnectorSettings | None = None) -> FastAPI:
    """Build the service app; settings are read from the environment at startup when None."""
    return create_app(definition(), settings=settings)


app = build_app()


def run() -> None:
    """Serve the mirakl_connector API on CROSSDOCK_MIRAKL_CONNECTOR_PORT (default 8111)."""
    run_service("crossdock_mirakl_connector.main:app", port_env="CROSSDOCK_MIRAKL_CONNECTOR_PORT", default_port=8111)
