"""Test helpers for the inventory service: drive it as the other services would, and read its tables.

Used by the integration tests with `crossdock_common.testing.service.ServiceHarness`.
"""

from datetime import UTC, datetime
from typing import Any

from crossdock_common.testing.service import ServiceHarness


async def settle(harness: ServiceHarness) -> None:
    """Run the availability publisher until no SKU is queued."""
    await harness.runtime.background[0].drain()


async def fetch(harness: ServiceHarness, query: str, *args: Any) -> list[dict[str, Any]]:
    async with harness.runtime.pool.acquire() as connection:
        return [dict(row) for row in await connection.fetch(query, *args)]


async def fetchval(harness: ServiceHarness, query: str, *args: Any) -> Any:
    async with harness.runtime.pool.acquire() as connection:
        return await connection.fetchval(query, *args)


async def wait_for_row(harness: ServiceHarness, query: str, *args: Any, message: str) -> None:
    """Wait until `query` returns true, i.e. the consumer applied the events it depends on."""

    async def applied() -> bool:
        return bool(await fetchval(harness, query, *args))

    await harness.wait_until(applied, timeout=20, message=message)


async def outbox_count(harness: ServiceHarness, event_type: str) -> int:
    """Events of a type the service has queued so far (published or about to be)."""
    return await fetchval(harness, "SELECT count(*) FROM outbox WHERE event_type = $1", event_type)


async def publish_integration(harness: ServiceHarness, integration_id: str, kind: str, **settings: Any) -> None:
    payload = {
        "integration_id": integration_id,
        "type": kind,
        "name": integration_id,
        "status": "connected",
        "supports_channel_sku": kind == "mirakl",
        "settings": settings,
    }
    await harness.publish(
        harness.event(type="integration.upserted", payload=payload, key=integration_id, integration_id=integration_id)
    )
    await wait_for_row(
        harness,
        "SELECT settings = $2::jsonb FROM integrations WHERE integration_id = $1",
        integration_id,
        settings,
        message=f"integration {integration_id} not applied",
    )


async def publish_product(harness: ServiceHarness, sku: str, options: list[dict[str, Any]] | None = None) -> None:
    payload = {"sku": sku, "title": sku, "channel_options": options or []}
    await harness.publish(harness.event(type="product.upserted", payload=payload, key=f"product:{sku}"))
    await wait_for_row(
        harness,
        "SELECT channel_options = $2::jsonb FROM products WHERE sku = $1",
        sku,
        [{"sync_to_channel": True, "inventory_buffer": 0, "channel_sku": None, **item} for item in options or []],
        message=f"product {sku} not applied",
    )


async def create_location(harness: ServiceHarness, name: str, **fields: Any) -> str:
    response = await harness.client.post("/v1/locations", json={"name": name, **fields}, headers=harness.auth())
    assert response.status_code == 201, response.text
    return response.json()["location_id"]


async def set_stock(harness: ServiceHarness, location_id: str, sku: str, on_hand: int, key: str) -> dict[str, Any]:
    response = await harness.client.post(
        "/v1/stock/set",
        json={"location_id": location_id, "sku": sku, "on_hand": on_hand},
        headers={**harness.auth(), "Idempotency-Key": key},
    )
    assert response.status_code == 200, response.text
    return response.json()


def order_payload(
    external_id: str,
    lines: list[dict[str, Any]],
    *,
    integration_id: str = "mirakl-1",
    status: str = "pending",
    status_reason: str | None = "awaiting_acceptance",
    fulfillment_type: str = "seller",
) -> dict[str, Any]:
    now = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    return {
        "integration_id": integration_id,
        "channel": "mirakl" if integration_id.startswith("mirakl") else "tiktok",
        "external_id": external_id,
        "channel_status": "WAITING_ACCEPTANCE",
        "status": status,
        "status_reason": status_reason,
        "fulfillment_type": fulfillment_type,
        "currency": "EUR",
        "lines": lines,
        "created_at": now,
        "updated_at": now,
    }


def line(line_id: str, sku: str | None, quantity: int, **fields: Any) -> dict[str, Any]:
    return {"line_id": line_id, "channel_sku": sku or "UNMAPPED", "master_sku": sku, "quantity": quantity, **fields}


def availability_events(harness: ServiceHarness, integration_id: str, sku: str) -> list:
    return harness.events(
        "availability.changed",
        lambda event: event.payload.integration_id == integration_id and event.payload.sku == sku,
    )
