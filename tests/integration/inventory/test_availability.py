"""Per-channel availability: published only on change, per TikTok warehouse, snapshots, simulation."""

import asyncio

import pytest
from crossdock_common.testing.service import ServiceHarness, settings_for_test
from crossdock_inventory.main import build_app
from crossdock_inventory.settings import InventorySettings
from crossdock_inventory.testing import (
    availability_events,
    create_location,
    fetchval,
    outbox_count,
    publish_integration,
    publish_product,
    set_stock,
    settle,
    wait_for_row,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_availability_no_event_when_unchanged(inventory):
    await publish_integration(inventory, "mirakl-1", "mirakl")
    await publish_product(inventory, "MUG-1", [{"integration_id": "mirakl-1", "inventory_buffer": 2}])
    location_id = await create_location(inventory, "Lyon DC")
    await set_stock(inventory, location_id, "MUG-1", 10, key="count-1")
    await settle(inventory)
    first = await inventory.wait_for_event("availability.changed", lambda event: event.payload.sku == "MUG-1")
    assert first.payload.quantity == 8

    await set_stock(inventory, location_id, "MUG-1", 10, key="count-2")
    await settle(inventory)

    assert await outbox_count(inventory, "stock.changed") == 2
    assert await outbox_count(inventory, "availability.changed") == 1


async def test_availability_coalesces_changes_per_sku(inventory):
    await publish_integration(inventory, "mirakl-1", "mirakl")
    await publish_product(inventory, "MUG-1")
    location_id = await create_location(inventory, "Lyon DC")
    await settle(inventory)
    before = await outbox_count(inventory, "availability.changed")

    for number in range(1, 6):
        await set_stock(inventory, location_id, "MUG-1", number, key=f"count-{number}")
    await settle(inventory)

    event = await inventory.wait_for_event("availability.changed", lambda item: item.payload.quantity == 5)
    assert event.payload.snapshot is False
    assert await outbox_count(inventory, "availability.changed") == before + 1
    assert await outbox_count(inventory, "stock.changed") == 5


async def test_availability_per_tiktok_warehouse(inventory):
    paris = await create_location(inventory, "Paris")
    lyon = await create_location(inventory, "Lyon")
    berlin = await create_location(inventory, "Berlin")
    await publish_integration(
        inventory, "tiktok-1", "tiktok", region="GB", warehouseMap={"TT-WH-1": [paris, lyon], "TT-WH-2": [berlin]}
    )
    await publish_product(inventory, "MUG-1", [{"integration_id": "tiktok-1", "inventory_buffer": 1}])
    await set_stock(inventory, paris, "MUG-1", 4, key="count-paris")
    await set_stock(inventory, lyon, "MUG-1", 3, key="count-lyon")
    await set_stock(inventory, berlin, "MUG-1", 9, key="count-berlin")
    await settle(inventory)

    first_warehouse = await inventory.wait_for_event(
        "availability.changed", lambda event: event.payload.channel_warehouse_id == "TT-WH-1"
    )
    second_warehouse = await inventory.wait_for_event(
        "availability.changed", lambda event: event.payload.channel_warehouse_id == "TT-WH-2"
    )
    assert first_warehouse.payload.quantity == 6
    assert second_warehouse.payload.quantity == 8
    assert first_warehouse.key == "acme:tiktok-1:MUG-1"
    assert len(availability_events(inventory, "tiktok-1", "MUG-1")) == 2


async def test_availability_force_resync_snapshot(inventory):
    await publish_integration(inventory, "mirakl-1", "mirakl", inventorySKUsExclude=["MUG-XL-9"])
    await publish_product(inventory, "MUG-1", [{"integration_id": "mirakl-1", "channel_sku": "MK-MUG-1"}])
    await publish_product(inventory, "MUG-2")
    await publish_product(inventory, "MUG-3")
    await publish_product(inventory, "MUG-XL-9")
    location_id = await create_location(inventory, "Lyon DC")
    await set_stock(inventory, location_id, "MUG-1", 6, key="count-1")
    await set_stock(inventory, location_id, "MUG-2", 0, key="count-2")
    await settle(inventory)
    before = await outbox_count(inventory, "availability.changed")

    command = inventory.event(
        type="command.inventory.resync",
        payload={"command_id": "cmd-4", "integration_id": "mirakl-1", "requested_by": "user ops@acme.example"},
        key="mirakl-1",
        integration_id="mirakl-1",
    )
    await inventory.publish(command)
    result = await inventory.wait_for_event("command.result", lambda event: event.payload.command_id == "cmd-4")

    assert result.payload.status == "succeeded"
    assert result.causation_id == command.event_id
    snapshot = inventory.events("availability.changed", lambda event: event.payload.snapshot)
    deadline = asyncio.get_running_loop().time() + 10
    while len(snapshot) < 2 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
        snapshot = inventory.events("availability.changed", lambda event: event.payload.snapshot)
    by_sku = {event.payload.sku: event.payload for event in snapshot}
    # MUG-3 never had stock in the hub, so the channel keeps its own figure; MUG-XL-9 is on the block list.
    assert set(by_sku) == {"MUG-1", "MUG-2"}
    assert by_sku["MUG-1"].quantity == 6
    assert by_sku["MUG-1"].channel_sku == "MK-MUG-1"
    assert by_sku["MUG-2"].quantity == 0
    assert {payload.snapshot_id for payload in by_sku.values()} == {"cmd-4"}
    assert await outbox_count(inventory, "availability.changed") == before + 2


async def test_availability_resync_unknown_integration_rejected(inventory):
    command = inventory.event(
        type="command.inventory.resync", payload={"command_id": "cmd-5", "integration_id": "mirakl-x"}, key="mirakl-x"
    )
    await inventory.publish(command)

    result = await inventory.wait_for_event("command.result", lambda event: event.payload.command_id == "cmd-5")

    assert result.payload.status == "rejected"
    assert "'mirakl-x'" in result.payload.message


async def test_availability_simulate_explains_figure(inventory):
    await publish_integration(inventory, "mirakl-1", "mirakl")
    await publish_integration(inventory, "tiktok-1", "tiktok", region="US")
    await publish_product(inventory, "MUG-1", [{"integration_id": "mirakl-1", "inventory_buffer": 2}])
    lyon = await create_location(inventory, "Lyon")
    paused = await create_location(inventory, "Paused", status="paused")
    excluded = await create_location(inventory, "TikTok only", excluded_integration_ids=["mirakl-1"])
    for location_id, quantity in ((lyon, 10), (paused, 5), (excluded, 7)):
        await set_stock(inventory, location_id, "MUG-1", quantity, key=f"count-{location_id}")

    response = await inventory.client.get(
        "/v1/availability/simulate", params={"sku": "MUG-1", "integration_id": "mirakl-1"}, headers=inventory.auth()
    )

    assert response.status_code == 200
    channels = response.json()["channels"]
    assert len(channels) == 1
    figure = channels[0]["figures"][0]
    assert figure["quantity"] == 8
    assert figure["buffer"] == 2
    reasons = {item["location_id"]: item["reason"] for item in figure["contributions"]}
    assert reasons == {
        lyon: "included",
        paused: "location is paused",
        excluded: "location is excluded from totals for mirakl-1",
    }
    assert channels[0]["publishable"] is True


async def test_availability_published_by_background_job(database_dsn, kafka_bootstrap):
    settings = settings_for_test(
        InventorySettings,
        database_dsn=database_dsn,
        kafka_bootstrap=kafka_bootstrap,
        availability_flush_seconds=0.2,
    )
    async with ServiceHarness(app=build_app(settings), settings=settings) as harness:
        await publish_integration(harness, "mirakl-1", "mirakl")
        await publish_product(harness, "MUG-1", [{"integration_id": "mirakl-1", "sync_to_channel": False}])
        location_id = await create_location(harness, "Lyon DC")
        await set_stock(harness, location_id, "MUG-1", 12, key="count-1")

        event = await harness.wait_for_event("availability.changed", lambda item: item.payload.sku == "MUG-1")

    assert event.payload.quantity == 0
    assert event.payload.integration_id == "mirakl-1"


async def test_availability_ignores_older_product_event(inventory):
    await publish_product(inventory, "MUG-1")
    newer = {
        "sku": "MUG-1",
        "channel_options": [{"integration_id": "mirakl-1", "inventory_buffer": 4}],
        "updated_at": "2026-11-30T10:05:00Z",
    }
    older = {
        "sku": "MUG-1",
        "channel_options": [{"integration_id": "mirakl-1", "inventory_buffer": 1}],
        "updated_at": "2026-11-30T10:00:00Z",
    }
    await inventory.publish(inventory.event(type="product.upserted", payload=newer, key="product:MUG-1"))
    await inventory.publish(inventory.event(type="product.upserted", payload=older, key="product:MUG-1"))
    await wait_for_row(
        inventory,
        "SELECT count(*) = 3 FROM processed_events WHERE topic LIKE '%products%'",
        message="product events not consumed",
    )

    buffer = await fetchval(inventory, "SELECT channel_options -> 0 ->> 'inventory_buffer' FROM products")
    assert buffer == "4"


async def test_availability_never_stocked_sku_is_not_sent(inventory):
    await publish_integration(inventory, "mirakl-1", "mirakl")
    await publish_product(inventory, "MUG-NEW", [{"integration_id": "mirakl-1"}])
    await publish_product(inventory, "MUG-1", [{"integration_id": "mirakl-1"}])
    location_id = await create_location(inventory, "Lyon DC")
    await set_stock(inventory, location_id, "MUG-1", 4, key="count-1")
    await settle(inventory)
    await inventory.wait_for_event("availability.changed", lambda event: event.payload.sku == "MUG-1")

    response = await inventory.client.get(
        "/v1/availability/simulate", params={"sku": "MUG-NEW", "integration_id": "mirakl-1"}, headers=inventory.auth()
    )

    assert inventory.events("availability.changed", lambda event: event.payload.sku == "MUG-NEW") == []
    channel = response.json()["channels"][0]
    assert channel["publishable"] is False
    assert channel["dropped_by"] == "no stock recorded in the hub"
    assert "set or import stock at a location" in channel["notes"][-1]

    await set_stock(inventory, location_id, "MUG-NEW", 0, key="count-new")
    await settle(inventory)
    sent = await inventory.wait_for_event("availability.changed", lambda event: event.payload.sku == "MUG-NEW")
    assert sent.payload.quantity == 0
