"""Master product API: exact SKUs, validation, pagination, filters, parents and variants, events."""

from decimal import Decimal
from urllib.parse import quote

import pytest

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_products_sku_kept_exactly(catalog):
    created = await catalog.create("ABC-1", title="Mug")
    spaced = await catalog.create("ABC-1 ", title="Mug with space")
    duplicate = await catalog.create("ABC-1", title="Mug again")
    missing = await catalog.client.get(f"/v1/products/{quote('abc-1')}", headers=catalog.headers)
    fetched = await catalog.client.get(f"/v1/products/{quote('ABC-1 ')}", headers=catalog.headers)

    assert created.status_code == 201
    assert created.json()["warnings"] == []
    assert spaced.status_code == 201
    assert "trailing whitespace" in spaced.json()["warnings"][0]
    assert duplicate.status_code == 409
    assert "already exists" in duplicate.json()["detail"]
    assert missing.status_code == 404
    assert fetched.json()["title"] == "Mug with space"


async def test_products_unicode_and_decimal_round_trip(catalog):
    response = await catalog.create(
        "TASSE-1",
        title="Tasse 🍃 Grün – 0,5 l",
        description="Zoë Ñandú\u0000 edition",
        price="19.90",
        currency="eur",
        gtin="4006381333931",
        attributes={"farbe": "grün"},
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "Tasse 🍃 Grün – 0,5 l"
    assert body["description"] == "Zoë Ñandú edition"
    assert body["price"] == "19.90"
    assert body["currency"] == "EUR"
    event = await catalog.harness.wait_for_event("product.upserted", lambda e: e.payload.sku == "TASSE-1")
    assert event.payload.price == Decimal("19.90")
    assert event.payload.title == "Tasse 🍃 Grün – 0,5 l"


async def test_products_invalid_input_named(catalog):
    bad_gtin = await catalog.create("G-1", gtin="4006381333932")
    no_currency = await catalog.create("P-1", price="5.00")
    float_price = await catalog.create("P-2", price=5.1, currency="EUR")
    blank = await catalog.create("   ")

    assert bad_gtin.status_code == 422
    assert "check digit" in bad_gtin.json()["detail"]
    assert no_currency.status_code == 422
    assert "no currency" in no_currency.json()["detail"]
    assert float_price.status_code == 422
    assert blank.status_code == 422
    assert "only whitespace" in blank.json()["detail"]


async def test_products_pagination_and_filters(catalog):
    for index in range(5):
        assert (await catalog.create(f"SKU-{index}", title=f"Shirt {index}")).status_code == 201
    assert (await catalog.create("CUP-1", title="Cup")).status_code == 201

    first = await catalog.client.get("/v1/products", params={"limit": 4}, headers=catalog.headers)
    second = await catalog.client.get(
        "/v1/products", params={"limit": 4, "cursor": first.json()["next_cursor"]}, headers=catalog.headers
    )
    shirts = await catalog.client.get("/v1/products", params={"q": "shirt"}, headers=catalog.headers)
    bad_cursor = await catalog.client.get("/v1/products", params={"cursor": "%%%"}, headers=catalog.headers)

    assert [item["sku"] for item in first.json()["items"]] == ["CUP-1", "SKU-0", "SKU-1", "SKU-2"]
    assert [item["sku"] for item in second.json()["items"]] == ["SKU-3", "SKU-4"]
    assert second.json()["next_cursor"] is None
    assert len(shirts.json()["items"]) == 5
    assert bad_cursor.status_code == 422


async def test_products_parent_and_variant_rules(catalog):
    assert (await catalog.create("SHIRT", product_type="parent", title="Shirt")).status_code == 201
    assert (await catalog.create("PLAIN", title="Plain")).status_code == 201

    variant = await catalog.create("SHIRT-M", product_type="variant", parent_sku="SHIRT")
    orphan = await catalog.create("SHIRT-L", product_type="variant", parent_sku="NOPE")
    wrong_parent = await catalog.create("PLAIN-M", product_type="variant", parent_sku="PLAIN")
    no_parent = await catalog.create("SHIRT-S", product_type="variant")
    delete_parent = await catalog.client.delete("/v1/products/SHIRT", headers=catalog.headers)
    parent_to_simple = await catalog.client.put(
        "/v1/products/SHIRT", json={"product_type": "simple"}, headers=catalog.headers
    )
    variants = await catalog.client.get("/v1/products", params={"parent_sku": "SHIRT"}, headers=catalog.headers)

    assert variant.status_code == 201
    assert orphan.status_code == 422
    assert "'NOPE'" in orphan.json()["detail"]
    assert wrong_parent.status_code == 422
    assert "simple product" in wrong_parent.json()["detail"]
    assert no_parent.status_code == 422
    assert delete_parent.status_code == 409
    assert parent_to_simple.status_code == 409
    assert "'SHIRT-M'" in parent_to_simple.json()["detail"]
    assert [item["sku"] for item in variants.json()["items"]] == ["SHIRT-M"]


async def test_products_replace_and_delete_publish(catalog):
    await catalog.integration("tiktok-1", "tiktok")
    assert (await catalog.create("MUG-9", title="Mug")).status_code == 201
    linked = await catalog.channel_product("tiktok-1", "MUG-9")
    assert linked["master_sku"] == "MUG-9"

    replaced = await catalog.client.put("/v1/products/MUG-9", json={"title": "Big mug"}, headers=catalog.headers)
    renamed = await catalog.client.put("/v1/products/MUG-9", json={"sku": "MUG-10"}, headers=catalog.headers)
    deleted = await catalog.client.delete("/v1/products/MUG-9", headers=catalog.headers)

    assert replaced.status_code == 200
    assert replaced.json()["outcome"] == "updated"
    assert renamed.status_code == 422
    assert deleted.status_code == 204
    await catalog.harness.wait_for_event("product.upserted", lambda e: e.payload.title == "Big mug")
    await catalog.harness.wait_for_event("product.deleted", lambda e: e.payload.sku == "MUG-9")
    after = await catalog.channel_product_state("tiktok-1", linked["channel_product_id"])
    assert after["state"] == "unmatched"


async def test_products_other_account_not_found(catalog):
    assert (await catalog.create("SECRET-1")).status_code == 201

    response = await catalog.client.get("/v1/products/SECRET-1", headers=catalog.harness.auth("globex"))

    assert response.status_code == 404


async def test_products_api_rejected_when_channel_is_source(catalog):
    assert (await catalog.set_source("mirakl")).status_code == 200

    response = await catalog.create("NEW-1")

    assert response.status_code == 409
    assert "catalog source is 'mirakl'" in response.json()["detail"]
