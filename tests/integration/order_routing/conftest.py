"""Fixtures of the order routing integration tests: the service, the 3PL sandbox and event builders.

The service runs in-process under `ServiceHarness` (real Kafka and Postgres)
and is also served by uvicorn on a free 127.0.0.1 port, so the 3PL sandbox,
served the same way, can post shipments back to it.
"""

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from crossdock_common.testing.service import ServiceHarness, settings_for_test
from crossdock_order_routing.main import build_app
from crossdock_order_routing.settings import RoutingSettings
from crossdock_sandbox.threepl.app import create_sandbox_app
from crossdock_sandbox.threepl.settings import SandboxSettings

ACCOUNT = "acme"
SECRET = "whsec-routing-tests-0123456789"
MIRAKL = "mirakl-1"
TIKTOK = "tiktok-1"


async def serve(app, *, lifespan: str) -> tuple[str, uvicorn.Server, asyncio.Task, socket.socket]:
    """Serve `app` with uvicorn on a port of 127.0.0.1 that the OS picks; return its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    # uvicorn offers only the `started` flag, no event to await.
    async with asyncio.timeout(5):
        while not server.started:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    return url, server, task, sock


async def shutdown(server: uvicorn.Server, task: asyncio.Task, sock: socket.socket) -> None:
    server.should_exit = True
    await asyncio.wait_for(task, 5)
    sock.close()


@dataclass
class Stack:
    """The service under test, its URL, and the 3PL sandbox."""

    harness: ServiceHarness
    hub_url: str
    sandbox_url: str
    sandbox: httpx.AsyncClient

    @property
    def api(self) -> httpx.AsyncClient:
        return self.harness.client

    @property
    def headers(self) -> dict[str, str]:
        return self.harness.auth(ACCOUNT)

    async def create_3pl(self, sandbox_account: str = "wh-1", *, plan: dict | None = None) -> str:
        """Create an HTTP-3PL integration and the matching sandbox account; return the integration id."""
        response = await self.api.post(
            "/v1/integrations/http-3pl",
            json={
                "name": f"3PL {sandbox_account}",
                "url": f"{self.sandbox_url}/accounts/{sandbox_account}",
                "secret": SECRET,
            },
            headers=self.headers,
        )
        assert response.status_code == 201, response.text
        integration_id = response.json()["integration_id"]
        account = {
            "secret": SECRET,
            "hub_url": self.hub_url,
            "integration_id": integration_id,
            "plan": plan or {"auto_ship": False},
        }
        answer = await self.sandbox.put(f"/_sandbox/accounts/{sandbox_account}", json=account)
        assert answer.status_code == 200, answer.text
        return integration_id

    async def publish(self, type: str, payload: Any, key: str, *, service: str = "test") -> None:
        await self.harness.publish(self.harness.event(type=type, payload=payload, key=key, service=service))

    async def channel_integration(self, integration_id: str, channel: str, **settings: Any) -> None:
        await self.publish(
            "integration.upserted",
            {
                "integration_id": integration_id,
                "type": channel,
                "name": integration_id,
                "status": "connected",
                "supports_channel_sku": channel == "mirakl",
                "settings": settings,
            },
            integration_id,
            service=f"{channel}_connector",
        )

    async def location(self, location_id: str, *, linked_to: str | None, priority: int = 100, **extra: Any) -> None:
        await self.publish(
            "location.upserted",
            {
                "location_id": location_id,
                "name": location_id,
                "fulfillment_integration_id": linked_to,
                "priority": priority,
                **extra,
            },
            f"location:{location_id}",
            service="inventory",
        )

    async def product(self, sku: str, **extra: Any) -> None:
        await self.publish("product.upserted", {"sku": sku, "title": sku, **extra}, f"product:{sku}", service="catalog")

    async def stock(self, sku: str, location_id: str, available: int) -> None:
        await self.publish(
            "stock.changed",
            {"sku": sku, "location_id": location_id, "on_hand": available, "committed": 0, "available": available},
            f"sku:{sku}",
            service="inventory",
        )

    async def order(self, type: str, payload: dict[str, Any]) -> None:
        await self.publish(
            type,
            payload,
            f"{payload['integration_id']}:{payload['external_id']}",
            service=f"{payload['channel']}_connector",
        )

    async def find_order(self, integration_id: str, external_id: str) -> dict[str, Any] | None:
        response = await self.api.get(
            "/v1/orders", params={"integration_id": integration_id, "external_id": external_id}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        found = response.json()
        return found[0] if found else None

    async def wait_for_status(self, integration_id: str, external_id: str, status: str, timeout: float = 20.0) -> dict:
        """Wait until the order has `status`; return its summary."""
        latest: dict[str, Any] = {}

        async def reached() -> bool:
            nonlocal latest
            latest = await self.find_order(integration_id, external_id) or {}
            return latest.get("status") == status

        await self.harness.wait_until(
            reached, timeout=timeout, message=f"order {external_id} never became {status}; last seen {latest}"
        )
        return latest

    def status_events(self, external_id: str, status: str | None = None) -> list:
        return self.harness.events(
            "order.status_changed",
            lambda e: e.payload.external_id == external_id and (status is None or e.payload.status == status),
        )


def address(country: str = "FR") -> dict[str, Any]:
    return {
        "name": "Zoë Ñandú",
        "lines": ["12 Rue de la Paix"],
        "city": "Paris",
        "postal_code": "75002",
        "country": country,
        "phone": "+33 1 23 45 67 89",
    }


def line(line_id: str, sku: str, quantity: int, *, resolved: bool = True, **extra: Any) -> dict[str, Any]:
    return {
        "line_id": line_id,
        "channel_sku": sku,
        "master_sku": sku if resolved else None,
        "quantity": quantity,
        "unit_price": "9.50",
        **extra,
    }


def tiktok_order(
    external_id: str,
    lines: list[dict],
    *,
    status: str = "pending",
    channel_status: str = "AWAITING_SHIPMENT",
    updated_at: datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    created = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    return {
        "integration_id": TIKTOK,
        "channel": "tiktok",
        "external_id": external_id,
        "channel_status": channel_status,
        "status": status,
        "status_reason": None,
        "fulfillment_type": "seller",
        "shipping_type": "SELLER",
        "currency": "USD",
        "lines": lines,
        "ship_to": address("US"),
        "created_at": created,
        "updated_at": updated_at or created + timedelta(minutes=1),
        **extra,
    }


def mirakl_order(
    external_id: str,
    lines: list[dict],
    *,
    channel_status: str,
    status_reason: str | None,
    updated_at: datetime,
    ship_to: dict | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "integration_id": MIRAKL,
        "channel": "mirakl",
        "external_id": external_id,
        "channel_status": channel_status,
        "status": "pending",
        "status_reason": status_reason,
        "currency": "EUR",
        "lines": lines,
        "ship_to": ship_to,
        "created_at": datetime(2026, 11, 30, 9, 15, tzinfo=UTC),
        "updated_at": updated_at,
        "acceptance_deadline": datetime(2026, 12, 1, 9, 15, tzinfo=UTC),
        **extra,
    }


@pytest.fixture
async def stack(database_dsn: str, kafka_bootstrap: str) -> AsyncIterator[Stack]:
    settings = settings_for_test(
        RoutingSettings,
        database_dsn=database_dsn,
        kafka_bootstrap=kafka_bootstrap,
        dispatch_interval_seconds=0.1,
        reevaluate_interval_seconds=0.5,
        threepl_timeout_seconds=3.0,
        threepl_attempts=2,
        threepl_backoff_seconds=0.05,
        dispatch_round_delay_seconds=0.2,
    )
    app = build_app(settings)
    sandbox_app = create_sandbox_app(settings=SandboxSettings(ship_delay_seconds=0.05))
    async with ServiceHarness(app=app, settings=settings) as harness:
        # The harness already ran the lifespan; uvicorn only serves HTTP.
        hub_url, hub_server, hub_task, hub_sock = await serve(app, lifespan="off")
        sandbox_url, sb_server, sb_task, sb_sock = await serve(sandbox_app, lifespan="on")
        async with httpx.AsyncClient(base_url=sandbox_url, timeout=10) as sandbox:
            yield Stack(harness=harness, hub_url=hub_url, sandbox_url=sandbox_url, sandbox=sandbox)
        await shutdown(sb_server, sb_task, sb_sock)
        await shutdown(hub_server, hub_task, hub_sock)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"
