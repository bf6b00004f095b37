"""Admin bulk data: the demo catalog load and generated orders, read back through OF21, P31 and OR11."""

import pytest
from crossdock_sandbox.demo_catalog import build_demo_catalog

GENERATE = "/_sandbox/orders/generate"


async def _all_orders(client, **params) -> list[dict]:
    orders, offset = [], 0
    while True:
        response = await client.get("/api/orders", params={"max": 100, "offset": offset, **params})
        assert response.status_code == 200, response.text
        page = response.json()
        orders += page["orders"]
        offset += 100
        if offset >= page["total_count"]:
            return orders


async def _all_offers(client) -> list[dict]:
    offers, offset = [], 0
    while True:
        page = (await client.get("/api/offers", params={"max": 100, "offset": offset})).json()
        offers += page["offers"]
        offset += 100
        if offset >= page["total_count"]:
            return offers


@pytest.fixture
def unlimited(store):
    """Switch rate limits off, so a test can walk many pages at once."""
    store.limiter.enabled = False
    return store


async def test_generate_returns_ids_in_state(client, store):
    response = await client.post(GENERATE, json={"count": 5, "state": "SHIPPING", "seed": 4})

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 5
    assert len(body["order_ids"]) == 5
    assert body["first_order_id"] == body["order_ids"][0]
    assert body["last_order_id"] == body["order_ids"][-1]
    for order_id in body["order_ids"]:
        record = store.find_order(2001, order_id)
        assert record.state == "SHIPPING"
        assert record.payload["customer_debited_date"]
        assert 1 <= len(record.lines) <= 3


async def test_generate_orders_listed_by_or11(client, unlimited):
    generated = (await client.post(GENERATE, json={"count": 3})).json()["order_ids"]

    listed = await _all_orders(client, order_ids=",".join(generated))

    assert sorted(order["order_id"] for order in listed) == sorted(generated)
    assert {order["order_state"] for order in listed} == {"WAITING_ACCEPTANCE"}


async def test_generate_lines_use_shop_offers(client, store):
    order_ids = (await client.post(GENERATE, json={"count": 20, "max_lines": 1})).json()["order_ids"]

    offers = store.shop_offers(2001)
    for order_id in order_ids:
        lines = store.find_order(2001, order_id).lines
        assert len(lines) == 1
        assert lines[0]["offer_sku"] in offers


async def test_generate_large_count_summarized(client, store):
    response = await client.post(GENERATE, json={"count": 1001})

    body = response.json()
    assert body["count"] == 1001
    assert "order_ids" not in body
    assert store.find_order(2001, body["first_order_id"]) is not None
    assert store.find_order(2001, body["last_order_id"]) is not None


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        ({"count": 0}, 400, "count 0"),
        ({"count": 50001}, 400, "count 50001"),
        ({"state": "PAID"}, 400, "'PAID'"),
        ({"max_lines": 0}, 400, "max_lines 0"),
        ({"max_lines": 11}, 400, "max_lines 11"),
        ({"shop_id": 9999}, 404, "9999"),
    ],
)
async def test_generate_invalid_value_named(client, body, status, named):
    response = await client.post(GENERATE, json=body)

    assert response.status_code == status
    assert named in response.json()["message"]


async def test_generate_shop_without_offers_rejected(client, store):
    store.shop_offers(2002).clear()

    response = await client.post(GENERATE, json={"shop_id": 2002})

    assert response.status_code == 400
    assert "2002" in response.json()["message"]


async def test_generate_ids_never_collide(client, store):
    seeded = set(store.shop_orders(2001))
    imported = dict(store.find_order(2001, sorted(seeded)[0]).payload, order_id="SBXG0000002-A")
    await client.post("/_sandbox/orders/import", json={"orders": [imported]})

    first = (await client.post(GENERATE, json={"count": 3, "seed": 1})).json()["order_ids"]
    second = (await client.post(GENERATE, json={"count": 3, "seed": 1})).json()["order_ids"]

    assert "SBXG0000002-A" not in first
    assert len(set(first) | set(second)) == 6
    assert not (set(first) | set(second)) & seeded
    assert len(store.shop_orders(2001)) == len(seeded) + 1 + 6


async def test_generate_same_seed_same_contents(client, store):
    first = (await client.post(GENERATE, json={"count": 4, "seed": 9})).json()["order_ids"]
    second = (await client.post(GENERATE, json={"count": 4, "seed": 9})).json()["order_ids"]

    def skus(order_id):
        return [line["offer_sku"] for line in store.find_order(2001, order_id).lines]

    assert [skus(order_id) for order_id in first] == [skus(order_id) for order_id in second]


async def test_generate_paging_returns_each_order_once(client, unlimited):
    seeded = len(unlimited.shop_orders(2001))
    await client.post(GENERATE, json={"count": 1200, "seed": 2})
    await client.post(GENERATE, json={"count": 150, "state": "SHIPPING", "seed": 3})

    ascending = [order["order_id"] for order in await _all_orders(client)]
    descending = [order["order_id"] for order in await _all_orders(client, order="desc")]

    assert len(ascending) == seeded + 1350
    assert len(set(ascending)) == len(ascending)
    assert descending == ascending[::-1]


async def test_generate_paging_with_filters(client, unlimited):
    await client.post(GENERATE, json={"count": 300, "state": "SHIPPING"})
    await client.post(GENERATE, json={"count": 200, "state": "WAITING_ACCEPTANCE"})
    expected = {record.order_id for record in unlimited.shop_orders(2001).values() if record.state == "SHIPPING"}

    listed = await _all_orders(client, order_state_codes="SHIPPING", start_update_date="2020-01-01T00:00:00Z")

    assert len(listed) == len(expected)
    assert {order["order_id"] for order in listed} == expected


async def test_generate_new_order_after_listing_sorted_last(client, unlimited):
    await _all_orders(client)

    order_id = (await client.post(GENERATE, json={"count": 1})).json()["order_ids"][0]

    listed = await _all_orders(client)
    assert listed[-1]["order_id"] == order_id


async def test_catalog_load_counts(client, store):
    seeded = set(store.shop_offers(2001))

    response = await client.post("/_sandbox/catalog", json={})

    body = response.json()
    listings = build_demo_catalog().mirakl
    assert response.status_code == 200
    assert body["offers_created"] == len(listings)
    assert body["products"] == len(listings)
    assert body["offers"] == len(listings) + len(seeded)
    assert seeded <= set(store.shop_offers(2001))


async def test_catalog_offers_listed_by_of21(client, unlimited):
    await client.post("/_sandbox/catalog", json={})

    offers = {offer["shop_sku"]: offer for offer in await _all_offers(client)}

    catalog = build_demo_catalog()
    assert {listing.seller_sku for listing in catalog.mirakl} <= set(offers)
    shared = offers[catalog.shared_skus[0]]
    assert {warehouse["code"] for warehouse in shared["warehouses"]} == {"WH-PARIS", "WH-LYON"}
    assert shared["product_references"] == [{"reference_type": "EAN", "reference": catalog.variants[0].gtin}]


async def test_catalog_special_cases_on_mirakl(client, store):
    await client.post("/_sandbox/catalog", json={})

    offers = store.shop_offers(2001)
    catalog = build_demo_catalog()
    for hub_sku, mirakl_sku in catalog.mapped_skus.items():
        assert mirakl_sku in offers
        assert hub_sku not in offers
    for mirakl_sku, tiktok_sku in catalog.near_miss_pairs:
        assert mirakl_sku in offers
        assert tiktok_sku not in offers
    for sku in catalog.tiktok_only_skus:
        assert sku not in offers
    for sku in catalog.mirakl_only_skus + catalog.conflicting_skus:
        assert sku in offers


async def test_catalog_products_found_by_ean(client):
    await client.post("/_sandbox/catalog", json={})
    variant = build_demo_catalog().variants[5]

    response = await client.get("/api/products", params={"product_references": f"EAN|{variant.gtin}"})

    products = response.json()["products"]
    assert [product["product_title"] for product in products] == [variant.title]


async def test_catalog_reload_updates_same_offers(client, store):
    await client.post("/_sandbox/catalog", json={})
    ids = {sku: offer.offer_id for sku, offer in store.shop_offers(2001).items()}

    body = (await client.post("/_sandbox/catalog", json={})).json()

    assert body["offers_created"] == 0
    assert body["offers_updated"] == len(build_demo_catalog().mirakl)
    assert {sku: offer.offer_id for sku, offer in store.shop_offers(2001).items()} == ids


async def test_catalog_replace_removes_seeded_offers(client, store):
    seeded = set(store.shop_offers(2001))

    body = (await client.post("/_sandbox/catalog", json={"replace": True})).json()

    assert body["offers_removed"] == len(seeded)
    assert set(store.shop_offers(2001)) == {listing.seller_sku for listing in build_demo_catalog().mirakl}


async def test_catalog_other_shop_flat_quantity(client, store):
    store.shops[2002].warehouse_codes = []

    await client.post("/_sandbox/catalog", json={"shop_id": 2002})

    offer = store.shop_offers(2002)[build_demo_catalog().shared_skus[0]]
    assert offer.warehouses == {}
    assert offer.quantity > 0


async def test_catalog_unknown_shop_rejected(client):
    response = await client.post("/_sandbox/catalog", json={"shop_id": 9999})

    assert response.status_code == 404
    assert "9999" in response.json()["message"]


async def test_generate_after_catalog_uses_demo_offers(client, store):
    await client.post("/_sandbox/catalog", json={"replace": True})

    order_ids = (await client.post(GENERATE, json={"count": 30})).json()["order_ids"]

    demo = {listing.seller_sku for listing in build_demo_catalog().mirakl}
    skus = {line["offer_sku"] for order_id in order_ids for line in store.find_order(2001, order_id).lines}
    assert skus <= demo
