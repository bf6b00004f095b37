"""Channel options: one row per sales integration, channelSku rules, mapping published to connectors."""

import pytest

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def _put(catalog, sku: str, integration_id: str, body: dict):
    return await catalog.client.put(
        f"/v1/products/{sku}/channel-options/{integration_id}", json=body, headers=catalog.headers
    )


async def test_channel_options_default_row_per_integration(catalog):
    await catalog.integration("mirakl-1", "mirakl")
    await catalog.integration("tiktok-1", "tiktok")
    await catalog.integration("3pl-1", "http_3pl")
    assert (await catalog.create("MUG-1")).status_code == 201

    response = await catalog.client.get("/v1/products/MUG-1/channel-options", headers=catalog.headers)

    assert response.status_code == 200
    rows = {row["integrationId"]: row for row in response.json()}
    assert sorted(rows) == ["mirakl-1", "tiktok-1"]
    assert rows["mirakl-1"]["syncToChannel"] is True
    assert rows["mirakl-1"]["inventoryBuffer"] == 0
    assert rows["mirakl-1"]["channelSkuOffered"] is True
    assert rows["tiktok-1"]["channelSkuOffered"] is False


async def test_channel_options_tiktok_channel_sku_rejected(catalog):
    await catalog.integration("tiktok-1", "tiktok")
    assert (await catalog.create("MUG-1")).status_code == 201

    response = await _put(catalog, "MUG-1", "tiktok-1", {"channelSku": "TT-MUG-1"})

    assert response.status_code == 422
    assert "TikTok SKUs must equal the master SKU" in response.json()["detail"]


async def test_channel_options_parent_channel_sku_rejected(catalog):
    await catalog.integration("mirakl-1", "mirakl")
    assert (await catalog.create("SHIRT", product_type="parent")).status_code == 201
    assert (await catalog.create("SHIRT-M", product_type="variant", parent_sku="SHIRT")).status_code == 201

    on_parent = await _put(catalog, "SHIRT", "mirakl-1", {"channelSku": "MK-SHIRT"})
    on_variant = await _put(catalog, "SHIRT-M", "mirakl-1", {"channelSku": "MK-SHIRT-M"})
    parent_buffer = await _put(catalog, "SHIRT", "mirakl-1", {"inventoryBuffer": 2})

    assert on_parent.status_code == 422
    assert "set channelSku on its variants" in on_parent.json()["detail"]
    assert on_variant.status_code == 200
    assert on_variant.json()["channelSku"] == "MK-SHIRT-M"
    assert parent_buffer.status_code == 200


async def test_channel_options_invalid_values_rejected(catalog):
    await catalog.integration("mirakl-1", "mirakl")
    await catalog.integration("3pl-1", "http_3pl")
    for sku in ("A-1", "B-1", "C-1"):
        assert (await catalog.create(sku)).status_code == 201
    assert (await _put(catalog, "A-1", "mirakl-1", {"channelSku": "MK-1"})).status_code == 200

    duplicate_channel_sku = await _put(catalog, "B-1", "mirakl-1", {"channelSku": "MK-1"})
    other_master = await _put(catalog, "B-1", "mirakl-1", {"channelSku": "C-1"})
    negative = await _put(catalog, "B-1", "mirakl-1", {"inventoryBuffer": -1})
    unknown = await _put(catalog, "B-1", "mirakl-9", {"inventoryBuffer": 1})
    warehouse = await _put(catalog, "B-1", "3pl-1", {"inventoryBuffer": 1})

    assert duplicate_channel_sku.status_code == 409
    assert "already used by product 'A-1'" in duplicate_channel_sku.json()["detail"]
    assert other_master.status_code == 409
    assert negative.status_code == 422
    assert unknown.status_code == 404
    assert warehouse.status_code == 422


async def test_channel_options_mapping_links_and_publishes(catalog):
    await catalog.integration("mirakl-1", "mirakl")
    assert (await catalog.create("TSHIRT-RED-M")).status_code == 201
    mirakl_product = await catalog.channel_product("mirakl-1", "MK-TSHIRT-RED-M")
    assert mirakl_product["state"] == "unmatched"

    response = await _put(catalog, "TSHIRT-RED-M", "mirakl-1", {"channelSku": "MK-TSHIRT-RED-M", "inventoryBuffer": 2})

    assert response.status_code == 200
    linked = await catalog.channel_product_state("mirakl-1", mirakl_product["channel_product_id"])
    assert linked["master_sku"] == "TSHIRT-RED-M"
    event = await catalog.harness.wait_for_event(
        "product.upserted", lambda e: e.payload.sku == "TSHIRT-RED-M" and e.payload.channel_links
    )
    options = {option.integration_id: option for option in event.payload.channel_options}
    assert options["mirakl-1"].channel_sku == "MK-TSHIRT-RED-M"
    assert options["mirakl-1"].inventory_buffer == 2
    assert event.payload.channel_links[0].channel_sku == "MK-TSHIRT-RED-M"

    # The channelSku replaces the identity mapping: the master SKU itself no longer links on mirakl-1.
    identity = await catalog.channel_product("mirakl-1", "TSHIRT-RED-M")
    assert identity["state"] == "unmatched"
    assert "has a channelSku on mirakl-1" in identity["unmatched_reason"]
