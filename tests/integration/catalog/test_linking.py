"""Channel products link to masters by exact SKU only; near-misses stay unmatched with the difference named."""

import pytest

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_linking_exact_sku_only(catalog):
    await catalog.integration("mirakl-1", "mirakl")
    await catalog.integration("tiktok-1", "tiktok")
    for sku in ("ABC-123", "123456 Oaktree"):
        assert (await catalog.create(sku, title=f"Product {sku}")).status_code == 201

    trailing = await catalog.channel_product("tiktok-1", "ABC-123 ")
    lower = await catalog.channel_product("tiktok-1", "abc-123")
    inner_space = await catalog.channel_product("tiktok-1", "123456 Oaktree")
    exact = await catalog.channel_product("mirakl-1", "ABC-123")

    assert trailing["state"] == "unmatched"
    assert trailing["unmatched_reason"] == "no master SKU 'ABC-123 '; differs from 'ABC-123' by trailing space"
    assert lower["state"] == "unmatched"
    assert lower["unmatched_reason"] == "no master SKU 'abc-123'; differs from 'ABC-123' by letter case"
    assert inner_space["master_sku"] == "123456 Oaktree"
    assert exact["master_sku"] == "ABC-123"

    event = await catalog.harness.wait_for_event(
        "product.upserted", lambda e: e.payload.sku == "ABC-123" and e.payload.channel_links
    )
    assert [(link.integration_id, link.channel_sku) for link in event.payload.channel_links] == [
        ("mirakl-1", "ABC-123")
    ]


async def test_linking_unmatched_listed_with_reason(catalog):
    await catalog.integration("tiktok-1", "tiktok")
    await catalog.channel_product("tiktok-1", "NOPE-1")

    response = await catalog.client.get("/v1/channel-products", params={"state": "unmatched"}, headers=catalog.headers)

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["channel_sku"] for item in items] == ["NOPE-1"]
    assert items[0]["unmatched_reason"].startswith("no master SKU 'NOPE-1'; catalog source is 'other'")


async def test_linking_master_created_later_links_waiting_product(catalog):
    await catalog.integration("tiktok-1", "tiktok")
    before = await catalog.channel_product("tiktok-1", "LATE-1")
    assert before["state"] == "unmatched"

    assert (await catalog.create("LATE-1", title="Late product")).status_code == 201

    after = await catalog.channel_product_state("tiktok-1", before["channel_product_id"])
    assert after["master_sku"] == "LATE-1"
