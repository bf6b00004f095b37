"""Consumed events: out-of-order channel products, connector problems, removed integrations."""

import pytest

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_channel_product_older_version_ignored(catalog):
    await catalog.integration("mirakl-1", "mirakl")
    assert (await catalog.set_source("mirakl")).status_code == 200

    await catalog.channel_product("mirakl-1", "MUG-1", title="New title", updated_at="2026-11-30T10:00:00Z")
    await catalog.channel_product("mirakl-1", "MUG-1", title="Old title", updated_at="2026-11-30T09:00:00+01:00")

    product = (await catalog.client.get("/v1/products/MUG-1", headers=catalog.headers)).json()
    assert product["title"] == "New title"


async def test_channel_product_problems_keep_it_unmatched(catalog):
    await catalog.integration("tiktok-1", "tiktok")
    assert (await catalog.create("MUG-1")).status_code == 201

    state = await catalog.channel_product("tiktok-1", "MUG-1", problems=["seller_sku is empty on SKU 1729"])

    assert state["state"] == "unmatched"
    assert state["unmatched_reason"] == "connector reported: seller_sku is empty on SKU 1729"


async def test_channel_product_sku_change_moves_link(catalog):
    await catalog.integration("tiktok-1", "tiktok")
    for sku in ("MUG-1", "MUG-2"):
        assert (await catalog.create(sku)).status_code == 201

    await catalog.channel_product("tiktok-1", "MUG-1", channel_product_id="tt-1")
    moved = await catalog.channel_product("tiktok-1", "MUG-2", channel_product_id="tt-1")

    assert moved["master_sku"] == "MUG-2"
    old = (await catalog.client.get("/v1/products/MUG-1", headers=catalog.headers)).json()
    assert old["channel_links"] == []
    await catalog.harness.wait_for_event(
        "product.upserted", lambda e: e.payload.sku == "MUG-1" and not e.payload.channel_links and e.causation_id
    )


async def test_integration_deleted_drops_options_and_links(catalog):
    await catalog.integration("mirakl-1", "mirakl")
    assert (await catalog.create("MUG-1")).status_code == 201
    await catalog.channel_product("mirakl-1", "MUG-1")
    response = await catalog.client.put(
        "/v1/products/MUG-1/channel-options/mirakl-1", json={"inventoryBuffer": 3}, headers=catalog.headers
    )
    assert response.status_code == 200

    deleted = catalog.harness.event(
        type="integration.deleted", payload={"integration_id": "mirakl-1", "type": "mirakl"}, key="mirakl-1"
    )
    await catalog.harness.publish(deleted)

    event = await catalog.harness.wait_for_event(
        "product.upserted", lambda e: e.payload.sku == "MUG-1" and e.causation_id == deleted.event_id
    )
    assert event.payload.channel_options == []
    assert event.payload.channel_links == []
    integrations = await catalog.client.get("/v1/integrations", headers=catalog.headers)
    assert integrations.json() == []


async def test_channel_product_blank_sku_creates_nothing(catalog):
    await catalog.integration("tiktok-1", "tiktok")
    assert (await catalog.set_source("tiktok")).status_code == 200

    state = await catalog.channel_product("tiktok-1", " ", channel_product_id="tt-blank")

    assert state["state"] == "unmatched"
    assert "empty or only whitespace" in state["unmatched_reason"]
    products = await catalog.client.get("/v1/products", headers=catalog.headers)
    assert products.json()["items"] == []
