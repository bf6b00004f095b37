"""Catalog source: which pull creates and updates masters, and when switching it is rejected."""

import pytest

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def _product(catalog, sku: str) -> dict:
    response = await catalog.client.get(f"/v1/products/{sku}", headers=catalog.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_source_mirakl_creates_and_tiktok_only_links(catalog):
    await catalog.integration("mirakl-1", "mirakl")
    await catalog.integration("tiktok-1", "tiktok")
    assert (await catalog.set_source("mirakl")).status_code == 200

    created = await catalog.channel_product("mirakl-1", "MUG-1", title="Mug", price="9.90", currency="EUR")
    tiktok_same = await catalog.channel_product("tiktok-1", "MUG-1", title="TikTok mug title")
    tiktok_new = await catalog.channel_product("tiktok-1", "TT-ONLY")
    updated = await catalog.channel_product("mirakl-1", "MUG-1", title="Mug v2", price="10.90", currency="EUR")

    assert created["master_sku"] == "MUG-1"
    assert tiktok_same["master_sku"] == "MUG-1"
    assert tiktok_new["state"] == "unmatched"
    assert "catalog source is 'mirakl'" in tiktok_new["unmatched_reason"]
    assert updated["master_sku"] == "MUG-1"
    master = await _product(catalog, "MUG-1")
    assert master["owner_integration_id"] == "mirakl-1"
    assert master["title"] == "Mug v2"
    assert master["price"] == "10.90"
    event = await catalog.harness.wait_for_event(
        "product.upserted", lambda e: e.payload.sku == "MUG-1" and len(e.payload.channel_links) == 2
    )
    assert event.payload.owner_integration_id == "mirakl-1"


async def test_source_both_first_integration_owns(catalog):
    await catalog.integration("mirakl-1", "mirakl")
    await catalog.integration("tiktok-1", "tiktok")
    assert (await catalog.set_source("both")).status_code == 200

    await catalog.channel_product("tiktok-1", "CUP-1", title="Cup from TikTok")
    await catalog.channel_product("mirakl-1", "CUP-1", title="Cup from Mirakl")
    await catalog.channel_product("mirakl-1", "PLATE-1", title="Plate")

    cup = await _product(catalog, "CUP-1")
    plate = await _product(catalog, "PLATE-1")
    assert cup["owner_integration_id"] == "tiktok-1"
    assert cup["title"] == "Cup from TikTok"
    assert sorted(link["integration_id"] for link in cup["channel_links"]) == ["mirakl-1", "tiktok-1"]
    assert plate["owner_integration_id"] == "mirakl-1"


async def test_source_variant_waits_for_parent(catalog):
    await catalog.integration("tiktok-1", "tiktok")
    assert (await catalog.set_source("tiktok")).status_code == 200

    variant = await catalog.channel_product(
        "tiktok-1", "TEE-M", channel_product_id="v1", product_type="variant", parent_channel_product_id="p1"
    )
    assert variant["state"] == "unmatched"
    assert "waiting for parent channel product 'p1'" in variant["unmatched_reason"]

    await catalog.channel_product("tiktok-1", "TEE", channel_product_id="p1", product_type="parent")

    linked = await catalog.channel_product_state("tiktok-1", "v1")
    assert linked["master_sku"] == "TEE-M"
    assert (await _product(catalog, "TEE-M"))["parent_sku"] == "TEE"


async def test_source_switch_rejected_without_force(catalog):
    await catalog.integration("mirakl-1", "mirakl")
    await catalog.integration("tiktok-1", "tiktok")
    assert (await catalog.set_source("mirakl")).status_code == 200
    await catalog.channel_product("mirakl-1", "MUG-1")
    await catalog.channel_product("mirakl-1", "MUG-2")
    await catalog.channel_product("tiktok-1", "TT-1")

    rejected = await catalog.set_source("tiktok")
    unchanged = await catalog.client.get("/v1/catalog/settings", headers=catalog.headers)
    forced = await catalog.set_source("tiktok", force=True)

    assert rejected.status_code == 409
    problem = rejected.json()
    assert problem["masters_losing_updates"] == 2
    assert problem["channel_skus_creating_masters"] == 1
    assert problem["affected_products"] == 3
    assert "force=true" in problem["detail"]
    assert unchanged.json()["catalog_source"] == "mirakl"
    assert forced.status_code == 200
    assert forced.json()["catalog_source"] == "tiktok"
    assert (await catalog.channel_product_state("tiktok-1", "tiktok-1:TT-1"))["master_sku"] == "TT-1"
    await catalog.harness.wait_for_event(
        "catalog.settings_changed", lambda e: e.payload.catalog_source == "tiktok" and e.key == "acme:catalog"
    )


async def test_source_default_other_and_invalid_value(catalog):
    default = await catalog.client.get("/v1/catalog/settings", headers=catalog.headers)
    invalid = await catalog.set_source("shopify")

    assert default.json() == {"catalog_source": "other", "is_default": True}
    assert invalid.status_code == 422
