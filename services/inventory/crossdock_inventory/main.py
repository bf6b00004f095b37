"""Entry point of the inventory service: `crossdock_inventory.main:app` for uvicorn, `run()` for the console script."""

from pathlib import Path

from crossdock_common.service import ServiceDefinition, create_app, run_service
from fastapi import FastAPI

import crossdock_inventory
from crossdock_inventory.api import availability, locations, stock
from crossdock_inventory.consumers import CONSUMERS
from crossdock_inventory.publisher import AvailabilityPublisher
from crossdock_inventory.settings import InventorySettings

MIGRATIONS = Path(__file__).parent / "migrations"


def definition() -> ServiceDefinition:
    """Describe the inventory service: schema, migrations, routers, consumers and the availability publisher."""
    return ServiceDefinition(
        name="inventory",
        schema="inventory",
        description=crossdock_inventory.__doc__ or "",
        migrations=MIGRATIONS,
        routers=[locations.router, stock.router, availability.router],
        consumers=CONSUMERS,
        background=[AvailabilityPublisher],
        settings_class=InventorySettings,
    )


def build_app(settings: InventorySettings | None = None) -> FastAPI:
    """Build the inventory app, with settings from the environment when none are given."""
    return create_app(definition(), settings=settings)


app = build_app()


def run() -> None:
    """Serve the inventory API on CROSSDOCK_INVENTORY_PORT (default 8102)."""
    run_service("crossdock_inventory.main:app", port_env="CROSSDOCK_INVENTORY_PORT", default_port=8102)
