"""Inventory, fulfillment and cancellation pushes of the TikTok connector against the TikTok sandbox."""

import json
from datetime import UTC, datetime

import pytest
from crossdock_tiktok_connector.adapters.client import TikTokClient
from crossdock_tiktok_connector.service.inventory import record_availability

from .conftest import APP_KEY, APP_SECRET, connect_shop, sandbox_requests

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


class StaticTokens:
    def __init__(self, token: str) -> None:
        self.token = token

    async def access_token(self) -> str:
        return self.token

    async def refresh(self) -> str:
        return self.token


async def seller_view(sandbox, shop: dict) -> TikTokClient:
    """Build a separate client that reads the sandbox shop as the seller's own tools would."""
    tokens = (await sandbox["admin"].post("/_sandbox/tokens/issue", json={"app_key": APP_KEY})).json()
    return TikTokClient(
        api_base_url=sandbox["url"],
        auth_base_url=sandbox["url"],
        app_key=APP_KEY,
        app_secret=APP_SECRET,
        integration_id="test",
        tokens=StaticTokens(tokens["access_token"]),
        shop_cipher=shop["cipher"],
    )


async def place_order(sandbox, shop: dict, seller_skus: list[str], quantity: int, **extra) -> tuple[dict, dict]:
    product = (
        await sandbox["admin"].post("/_sandbox/products", json={"shop_id": shop["id"], "seller_skus": seller_skus})
    ).json()
    lines = [{"sku_id": sku["id"], "quantity": quantity} for sku in product["skus"]]
    body = {"shop_id": shop["id"], "lines": lines, "status": "AWAITING_SHIPMENT", **extra}
    order = (await sandbox["admin"].post("/_sandbox/orders", json=body)).json()
    return product, order


async def sync(harness, integration_id: str) -> dict:
    response = await harness.client.post(f"/v1/integrations/{integration_id}/sync", headers=harness.auth())
    assert response.status_code == 200, response.text
    return response.json()


def fulfillment_event(harness, integration_id, order, lines, tracking, carrier, fulfillment_id):
    return harness.event(
        type="fulfillment.created",
        payload={
            "fulfillment_id": fulfillment_id,
            "integration_id": integration_id,
            "channel": "tiktok",
            "external_order_id": order["id"],
            "lines": lines,
            "carrier": carrier,
            "tracking_number": tracking,
            "shipped_at": datetime.now(UTC),
        },
        key=f"tiktok:{order['id']}",
        service="order_routing",
    )


async def carrier_name(sandbox, shop, order) -> str:
    async with await seller_view(sandbox, shop) as client:
        providers = await client.shipping_providers(order["delivery_option_id"])
    return providers[0]["name"]


async def test_inventory_push_per_warehouse_zero_and_clamp(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")
    shop = connected["shop"]
    product = (
        await sandbox["admin"].post(
            "/_sandbox/products", json={"shop_id": shop["id"], "seller_skus": ["INV-A", "INV-B"]}
        )
    ).json()
    warehouses = [entry["warehouse_id"] for entry in product["skus"][0]["inventory"]]
    assert len(warehouses) == 2

    for sku, warehouse, quantity in (
        ("INV-A", warehouses[0], 0),
        ("INV-A", warehouses[0], 4),
        ("INV-A", warehouses[0], 0),
        ("INV-B", warehouses[1], 150_000),
    ):
        event = connector.event(
            type="availability.changed",
            payload={
                "integration_id": connected["id"],
                "sku": sku,
                "channel_sku": sku,
                "channel_warehouse_id": warehouse,
                "quantity": quantity,
            },
            key=f"{connected['id']}:{sku}",
            service="inventory",
        )
        await connector.publish(event)
    await connector.wait_until(lambda: _pending(connector, connected["id"], 2), message="availability not recorded")
    await sandbox["admin"].delete("/_sandbox/requests")

    status = await sync(connector, connected["id"])

    updates = await sandbox_requests(sandbox, "/inventory/update")
    assert len(updates) == 1
    assert updates[0]["code"] == 0
    import json

    body = json.loads(updates[0]["body"])
    by_sku = {entry["id"]: {w["warehouse_id"]: w["quantity"] for w in entry["inventory"]} for entry in body["skus"]}
    sku_a, sku_b = product["skus"][0]["id"], product["skus"][1]["id"]
    assert set(by_sku[sku_a]) == set(warehouses)
    assert by_sku[sku_a][warehouses[0]] == 0
    assert by_sku[sku_b][warehouses[1]] == 99_999
    assert status["inventory"] == {"pushed": 2}


async def test_fulfillment_two_packages_each_own_tracking(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")
    shop = connected["shop"]
    product, order = await place_order(sandbox, shop, ["FUL-1", "FUL-2"], 1)
    carrier = await carrier_name(sandbox, shop, order)
    await sync(connector, connected["id"])
    sku_1, sku_2 = product["skus"][0]["id"], product["skus"][1]["id"]

    await connector.publish(
        fulfillment_event(
            connector, connected["id"], order, [{"line_id": sku_1, "quantity": 1}], "TRK111", carrier, "f-1"
        )
    )
    await connector.publish(
        fulfillment_event(
            connector, connected["id"], order, [{"line_id": sku_2, "quantity": 1}], "TRK222", carrier, "f-2"
        )
    )
    first = await connector.wait_for_event("fulfillment.channel_result", lambda e: e.payload.fulfillment_id == "f-1")
    second = await connector.wait_for_event("fulfillment.channel_result", lambda e: e.payload.fulfillment_id == "f-2")

    assert first.payload.status == "confirmed", first.payload.message
    assert second.payload.status == "confirmed", second.payload.message
    async with await seller_view(sandbox, shop) as client:
        shipped = (await client.order_details([order["id"]]))[0]
    tracking = {item["sku_id"]: item["tracking_number"] for item in shipped["line_items"]}
    assert tracking == {sku_1: "TRK111", sku_2: "TRK222"}
    assert len({item["package_id"] for item in shipped["line_items"]}) == 2
    marks = await sandbox_requests(sandbox, f"/fulfillment/202309/orders/{order['id']}/packages")
    assert len(marks) == 2


async def test_fulfillment_partial_then_capped(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "MY")
    shop = connected["shop"]
    product, order = await place_order(sandbox, shop, ["PART-1"], 3)
    carrier = await carrier_name(sandbox, shop, order)
    await sync(connector, connected["id"])
    sku = product["skus"][0]["id"]

    await connector.publish(
        fulfillment_event(connector, connected["id"], order, [{"line_id": sku, "quantity": 2}], "TRK-A", carrier, "p-1")
    )
    first = await connector.wait_for_event("fulfillment.channel_result", lambda e: e.payload.fulfillment_id == "p-1")
    assert first.payload.status == "confirmed", first.payload.message
    partial = await connector.wait_for_event(
        "order.updated",
        lambda e: e.payload.external_id == order["id"] and e.payload.channel_status == "PARTIALLY_SHIPPING",
    )
    assert partial.payload.status == "pending"
    assert await sandbox_requests(sandbox, "/split")

    await connector.publish(
        fulfillment_event(connector, connected["id"], order, [{"line_id": sku, "quantity": 2}], "TRK-B", carrier, "p-2")
    )
    second = await connector.wait_for_event("fulfillment.channel_result", lambda e: e.payload.fulfillment_id == "p-2")
    assert second.payload.status == "confirmed", second.payload.message
    assert "capped" in second.payload.message


async def test_fulfillment_region_error_not_retried(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "MY", settings={"fulfillmentMethod": "mark_package_as_shipped"})
    shop = connected["shop"]
    product, order = await place_order(sandbox, shop, ["REG-1"], 1)
    carrier = await carrier_name(sandbox, shop, order)
    await sync(connector, connected["id"])

    lines = [{"line_id": product["skus"][0]["id"], "quantity": 1}]
    await connector.publish(fulfillment_event(connector, connected["id"], order, lines, "TRK-R", carrier, "r-1"))
    result = await connector.wait_for_event("fulfillment.channel_result", lambda e: e.payload.fulfillment_id == "r-1")

    assert result.payload.status == "failed"
    assert "21008106" in result.payload.message
    assert "ship_package" in result.payload.message
    await sync(connector, connected["id"])
    calls = [e for e in await sandbox_requests(sandbox, "/packages") if e["code"] == 21008106]
    assert len(calls) == 1


async def test_cancel_command_cancels_on_tiktok(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")
    _product, order = await place_order(sandbox, connected["shop"], ["CAN-1"], 1)
    await sync(connector, connected["id"])

    command = connector.event(
        type="command.order.cancel",
        payload={
            "command_id": "c-1",
            "integration_id": connected["id"],
            "channel": "tiktok",
            "external_id": order["id"],
            "reason": "out of stock",
        },
        key=f"tiktok:{order['id']}",
        service="order_routing",
    )
    await connector.publish(command)

    result = await connector.wait_for_event("command.result", lambda e: e.payload.command_id == "c-1")
    assert result.payload.status == "succeeded", result.payload.message
    update = await connector.wait_for_event(
        "order.updated", lambda e: e.payload.external_id == order["id"] and e.payload.status == "cancelled"
    )
    assert update.payload.channel_status == "CANCELLED"


async def _pending(harness, integration_id, expected):
    async with harness.runtime.pool.acquire() as connection:
        count = await connection.fetchval(
            "SELECT count(*) FROM inventory_updates WHERE integration_id = $1 AND status = 'pending'", integration_id
        )
    return count >= expected


async def test_inventory_recorded_during_push_stays_pending(connector, sandbox, monkeypatch):
    connected = await connect_shop(connector, sandbox, "US")
    shop = connected["shop"]
    product = (
        await sandbox["admin"].post("/_sandbox/products", json={"shop_id": shop["id"], "seller_skus": ["INV-C"]})
    ).json()
    warehouse = product["skus"][0]["inventory"][0]["warehouse_id"]
    async with connector.runtime.pool.acquire() as connection:
        await record_availability(
            connection,
            integration_id=connected["id"],
            sku="INV-C",
            warehouse_id=warehouse,
            quantity=29,
            wanted_at=datetime.now(UTC),
        )

    # A newer figure arrives while the first update call is in flight.
    send_update = TikTokClient.update_inventory

    async def update_while_newer_arrives(client, product_id, body):
        data = await send_update(client, product_id, body)
        async with connector.runtime.pool.acquire() as connection:
            await record_availability(
                connection,
                integration_id=connected["id"],
                sku="INV-C",
                warehouse_id=warehouse,
                quantity=26,
                wanted_at=datetime.now(UTC),
            )
        return data

    monkeypatch.setattr(TikTokClient, "update_inventory", update_while_newer_arrives)
    await sandbox["admin"].delete("/_sandbox/requests")
    await sync(connector, connected["id"])
    monkeypatch.undo()
    async with connector.runtime.pool.acquire() as connection:
        row = await connection.fetchrow(
            "SELECT status, quantity FROM inventory_updates WHERE integration_id = $1 AND sku = 'INV-C'",
            connected["id"],
        )
    await sync(connector, connected["id"])

    updates = await sandbox_requests(sandbox, "/inventory/update")
    sent = [
        {w["warehouse_id"]: w["quantity"] for w in json.loads(update["body"])["skus"][0]["inventory"]}[warehouse]
        for update in updates
    ]
    assert dict(row) == {"status": "pending", "quantity": 26}
    assert sent == [29, 26]
