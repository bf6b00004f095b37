"""A started inventory service on a fresh database, plus helpers that publish what other services would."""

import pytest
from crossdock_common.testing.service import ServiceHarness, settings_for_test
from crossdock_inventory.main import build_app
from crossdock_inventory.settings import InventorySettings


@pytest.fixture
async def inventory(database_dsn, kafka_bootstrap):
    """The service with a publisher that runs only when a test calls `settle` (after its first run at start)."""
    settings = settings_for_test(
        InventorySettings,
        database_dsn=database_dsn,
        kafka_bootstrap=kafka_bootstrap,
        availability_flush_seconds=3600,
    )
    async with ServiceHarness(app=build_app(settings), settings=settings) as harness:
        yield harness
