"""Fixtures of the Mirakl connector tests: a Mirakl sandbox on 127.0.0.1 and the harnessed service.

The sandbox runs under uvicorn on a port the OS picks, and the connector's
integration `url` points at it exactly as a user would point at a real Mirakl.
Both sides run at the same small marketplace time scale.
"""

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from crossdock_common.testing.service import ServiceHarness, settings_for_test
from crossdock_mirakl_connector.main import build_app
from crossdock_mirakl_connector.settings import MiraklConnectorSettings
from crossdock_sandbox.mirakl.app import create_sandbox_app
from crossdock_sandbox.mirakl.seed import SeedRequest
from crossdock_sandbox.mirakl.settings import SandboxSettings

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

TIME_SCALE = 0.001
SANDBOX_KEY = "mirakl-sandbox-key-2001"


async def serve(app) -> tuple[str, uvicorn.Server, asyncio.Task, socket.socket]:
    """Serve `app` with uvicorn on a free port of 127.0.0.1; return its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    async with asyncio.timeout(5):
        while not server.started:  # noqa: ASYNC110 - uvicorn exposes only a flag
            await asyncio.sleep(0.01)
    return url, server, task, sock


@dataclass
class Sandbox:
    """A running Mirakl sandbox and a client for its admin API."""

    url: str
    admin: httpx.AsyncClient
    app: Any = field(repr=False, default=None)

    async def requests(self, operation: str | None = None) -> list[dict]:
        response = await self.admin.get("/_sandbox/requests")
        entries = response.json()["requests"]
        return [entry for entry in entries if operation is None or entry.get("operation") == operation]

    async def order(self, order_id: str) -> dict:
        response = await self.admin.get(f"/_sandbox/orders/{order_id}")
        return response.json()["order"]

    async def state(self) -> dict:
        return (await self.admin.get("/_sandbox/state")).json()


async def start_sandbox(seed: SeedRequest | None = None, **settings: Any) -> tuple[Sandbox, tuple]:
    app = create_sandbox_app(
        settings=SandboxSettings(
            time_scale=TIME_SCALE, import_waiting_seconds=0.05, import_running_seconds=0.05, **settings
        ),
        seed=seed or SeedRequest(),
    )
    url, server, task, sock = await serve(app)
    return Sandbox(url=url, admin=httpx.AsyncClient(base_url=url, timeout=10), app=app), (server, task, sock)


async def stop_sandbox(sandbox: Sandbox, handles: tuple) -> None:
    server, task, sock = handles
    await sandbox.admin.aclose()
    server.should_exit = True
    await asyncio.wait_for(task, 5)
    sock.close()


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    running, handles = await start_sandbox()
    yield running
    await stop_sandbox(running, handles)


def connector_settings(database_dsn: str, kafka_bootstrap: str, **overrides: Any) -> MiraklConnectorSettings:
    values = {
        "marketplace_time_scale": TIME_SCALE,
        "worker_tick_seconds": 0.05,
        "retry_delay_seconds": 0.05,
        "http_backoff_seconds": 0.01,
        "http_max_attempts": 3,
        "http_timeout_seconds": 5,
        **overrides,
    }
    return settings_for_test(
        MiraklConnectorSettings, database_dsn=database_dsn, kafka_bootstrap=kafka_bootstrap, **values
    )


@pytest.fixture
def make_connector(database_dsn, kafka_bootstrap):
    """Build a harnessed connector; keyword arguments override its settings."""

    def make(**overrides: Any) -> ServiceHarness:
        settings = connector_settings(database_dsn, kafka_bootstrap, **overrides)
        return ServiceHarness(app=build_app(settings), settings=settings)

    return make


async def create_integration(harness: ServiceHarness, url: str, *, key: str = SANDBOX_KEY, **settings: Any) -> dict:
    response = await harness.client.post(
        "/v1/integrations",
        json={"name": "Sandbox shop", "url": url, "api_key": key, "settings": settings},
        headers=harness.auth(),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def connect(harness: ServiceHarness, integration_id: str) -> dict:
    response = await harness.client.post(f"/v1/integrations/{integration_id}/connect", headers=harness.auth())
    assert response.status_code == 200, response.text
    return response.json()


async def connected_integration(
    harness: ServiceHarness, sandbox: Sandbox, *, key: str = SANDBOX_KEY, **settings: Any
) -> dict:
    created = await create_integration(harness, sandbox.url, key=key, **settings)
    view = await connect(harness, created["integration_id"])
    assert view["status"] == "connected", view
    return view


async def publish_product(harness: ServiceHarness, integration_id: str, sku: str, channel_sku: str | None = None):
    options = [{"integration_id": integration_id, "channel_sku": channel_sku}] if channel_sku else []
    event = harness.event(
        type="product.upserted", payload={"sku": sku, "title": sku, "channel_options": options}, key=sku
    )
    await harness.publish(event)
    return event
