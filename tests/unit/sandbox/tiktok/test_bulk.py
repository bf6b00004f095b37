"""Admin bulk data: the demo catalog load and generated orders, read back through the Open API."""

import pytest
from crossdock_sandbox.demo_catalog import build_demo_catalog
from crossdock_sandbox.tiktok.main import create_sandbox_app
from crossdock_sandbox.tiktok.store import WebhookSubscription

GENERATE = "/_sandbox/orders/generate"
SEARCH = "/order/202309/orders/search"


@pytest.fixture
def sandbox_app(clock):
    """An app whose rate limit does not stop a test from walking hundreds of pages at a frozen time."""
    return create_sandbox_app(
        time_scale=1.0, clock=clock, redirect_url="http://127.0.0.1:9/callback", rate_limit_per_second=100_000
    )


async def _search_all(api, body=None, **query) -> list[dict]:
    orders, token = [], ""
    while True:
        params = {"page_size": "100", **query} | ({"page_token": token} if token else {})
        response = await api.call("POST", SEARCH, query=params, body=body or {})
        data = response.json()["data"]
        orders += data["orders"]
        token = data["next_page_token"]
        if not token:
            return orders


async def _details(api, order_ids: list[str]) -> list[dict]:
    orders = []
    for start in range(0, len(order_ids), 50):
        chunk = ",".join(order_ids[start : start + 50])
        orders += (await api.call("GET", "/order/202309/orders", query={"ids": chunk})).json()["data"]["orders"]
    return orders


async def test_generate_awaiting_shipment_with_packages(http, api, shops):
    response = await http.post(GENERATE, json={"count": 5, "seed": 3})

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 5
    assert body["first_order_id"] == body["order_ids"][0]
    orders = await _details(api, body["order_ids"])
    assert [order["id"] for order in orders] == body["order_ids"]
    for order in orders:
        assert order["status"] == "AWAITING_SHIPMENT"
        assert order["fulfillment_type"] == "FULFILLMENT_BY_SELLER"
        assert len(order["packages"]) == 1
        assert 1 <= len({line["sku_id"] for line in order["line_items"]}) <= 3


async def test_generate_fbt_ships_by_tiktok(http, api):
    order_ids = (await http.post(GENERATE, json={"count": 3, "fulfillment_type": "FULFILLMENT_BY_TIKTOK"})).json()[
        "order_ids"
    ]

    orders = await _details(api, order_ids)

    assert {order["fulfillment_type"] for order in orders} == {"FULFILLMENT_BY_TIKTOK"}
    assert {order["shipping_type"] for order in orders} == {"TIKTOK"}


async def test_generate_unpaid_has_no_package(http, api):
    order_ids = (await http.post(GENERATE, json={"count": 3, "status": "UNPAID"})).json()["order_ids"]

    orders = await _details(api, order_ids)

    assert {order["status"] for order in orders} == {"UNPAID"}
    assert all(order["packages"] == [] for order in orders)


async def test_generate_lines_from_shop_skus(http, runtime, shops):
    order_ids = (await http.post(GENERATE, json={"count": 20, "max_lines": 1})).json()["order_ids"]

    active = {
        sku.id
        for product in runtime.store.products.values()
        if product.shop_id == shops["US"].id and product.status == "ACTIVATE"
        for sku in product.skus
    }
    for order_id in order_ids:
        order = runtime.store.orders[order_id]
        assert order.shop_id == shops["US"].id
        assert len({line.sku_id for line in order.line_items}) == 1
        assert {line.sku_id for line in order.line_items} <= active


async def test_generate_other_shop(http, runtime, shops):
    order_ids = (await http.post(GENERATE, json={"shop_id": shops["GB"].id, "count": 2})).json()["order_ids"]

    assert {runtime.store.orders[order_id].currency for order_id in order_ids} == {"GBP"}


async def test_generate_large_count_summarized(http, runtime):
    body = (await http.post(GENERATE, json={"count": 1001})).json()

    assert body["count"] == 1001
    assert "order_ids" not in body
    assert body["first_order_id"] in runtime.store.orders
    assert body["last_order_id"] in runtime.store.orders


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        ({"count": 0}, 422, "count 0"),
        ({"count": 50001}, 422, "count 50001"),
        ({"count": "5"}, 422, "count '5'"),
        ({"status": "PAID"}, 422, "'PAID'"),
        ({"fulfillment_type": "FBA"}, 422, "'FBA'"),
        ({"max_lines": 0}, 422, "max_lines 0"),
        ({"seed": "x"}, 422, "seed 'x'"),
        ({"notify": "yes"}, 422, "notify 'yes'"),
        ({"shop_id": "123"}, 404, "'123'"),
    ],
)
async def test_generate_invalid_value_named(http, body, status, named):
    response = await http.post(GENERATE, json=body)

    assert response.status_code == status
    assert named in response.json()["detail"]


async def test_generate_ids_never_collide(http, runtime, monkeypatch):
    seeded = set(runtime.store.orders)
    existing_id = sorted(seeded)[0]
    draw = runtime.store.ids.numeric
    draws = iter([existing_id])
    monkeypatch.setattr(runtime.store.ids, "numeric", lambda: next(draws, None) or draw())

    first = (await http.post(GENERATE, json={"count": 3, "seed": 1})).json()["order_ids"]
    second = (await http.post(GENERATE, json={"count": 3, "seed": 1})).json()["order_ids"]

    assert existing_id not in first
    assert len(set(first) | set(second)) == 6
    assert not (set(first) | set(second)) & seeded
    assert len(runtime.store.orders) == len(seeded) + 6


async def test_generate_notify_sends_status_webhooks(http, runtime, shops):
    runtime.store.webhooks[("crossdock-sandbox", shops["US"].id, "ORDER_STATUS_CHANGE")] = WebhookSubscription(
        app_key="crossdock-sandbox",
        shop_id=shops["US"].id,
        event_type="ORDER_STATUS_CHANGE",
        address="http://127.0.0.1:9/webhooks",
        create_time=0,
        update_time=0,
    )

    await http.post(GENERATE, json={"count": 2})
    silent = len(runtime.webhooks.deliveries)
    order_ids = (await http.post(GENERATE, json={"count": 3, "notify": True})).json()["order_ids"]

    assert silent == 0
    deliveries = runtime.webhooks.deliveries
    assert len(deliveries) == 3
    assert all(delivery.event_type == "ORDER_STATUS_CHANGE" for delivery in deliveries)
    assert [order_id in delivery.body for order_id, delivery in zip(order_ids, deliveries, strict=True)] == [True] * 3


async def test_generate_paging_returns_each_order_once(http, api, runtime, shops):
    await http.post(GENERATE, json={"count": 1200, "seed": 2})
    await http.post(GENERATE, json={"count": 150, "status": "UNPAID", "seed": 3})
    expected = [order.id for order in runtime.store.orders.values() if order.shop_id == shops["US"].id]

    descending = [order["id"] for order in await _search_all(api)]
    ascending = [order["id"] for order in await _search_all(api, sort_order="ASC")]

    assert len(descending) == len(expected)
    assert set(descending) == set(expected)
    assert ascending == descending[::-1]


async def test_generate_paging_with_filters(http, api, runtime, shops):
    await http.post(GENERATE, json={"count": 300, "status": "UNPAID"})
    await http.post(GENERATE, json={"count": 200})
    expected = {
        order.id
        for order in runtime.store.orders.values()
        if order.shop_id == shops["US"].id and order.status == "UNPAID"
    }

    listed = await _search_all(api, {"order_status": "UNPAID", "update_time_ge": 0}, sort_field="update_time")

    assert len(listed) == len(expected)
    assert {order["id"] for order in listed} == expected


async def test_generate_new_order_after_search_listed(http, api, clock):
    await _search_all(api)
    clock.advance(1)

    order_id = (await http.post(GENERATE, json={"count": 1})).json()["order_ids"][0]

    listed = await _search_all(api)
    assert listed[0]["id"] == order_id


async def test_catalog_load_counts(http, runtime, shops):
    response = await http.post("/_sandbox/catalog", json={})

    body = response.json()
    listings = build_demo_catalog().tiktok
    assert response.status_code == 200
    assert body["shop_id"] == shops["US"].id
    assert body["products_created"] == len({listing.group_code for listing in listings})
    assert body["skus"] == len(listings)
    for product_id in body["product_ids"]:
        product = runtime.store.products[product_id]
        assert product.shop_id == shops["US"].id
        assert product.status == "ACTIVATE"


async def test_catalog_products_read_through_api(http, api):
    product_id = (await http.post("/_sandbox/catalog", json={})).json()["product_ids"][0]

    product = (await api.call("GET", f"/product/202309/products/{product_id}")).json()["data"]

    catalog = build_demo_catalog()
    family = catalog.families[0]
    listed = [listing.seller_sku for listing in catalog.tiktok if listing.group_code == family.code]
    assert product["title"] == family.title
    assert [sku["seller_sku"] for sku in product["skus"]] == listed
    first = product["skus"][0]
    assert first["identifier_code"] == {"code": family.variants[0].gtin, "type": "GTIN"}
    assert first["price"]["sale_price"] == family.variants[0].price
    assert len(first["inventory"]) == 2
    assert product["main_images"][0]["uri"].startswith("https://images.example.com/")


async def test_catalog_special_cases_on_tiktok(http, runtime, shops):
    await http.post("/_sandbox/catalog", json={})

    catalog = build_demo_catalog()
    products_by_sku = {
        sku.seller_sku: product
        for product in runtime.store.products.values()
        if product.external_product_id.startswith("crossdock-demo:")
        for sku in product.skus
    }
    for mirakl_sku, tiktok_sku in catalog.near_miss_pairs:
        assert tiktok_sku in products_by_sku
        assert mirakl_sku not in products_by_sku
    for hub_sku, mirakl_sku in catalog.mapped_skus.items():
        assert hub_sku in products_by_sku
        assert mirakl_sku not in products_by_sku
    for sku in catalog.conflicting_skus:
        variant = next(v for v in catalog.variants if v.sku == sku)
        assert products_by_sku[sku].title != variant.title
    for sku in catalog.mirakl_only_skus:
        assert sku not in products_by_sku
    for sku in catalog.tiktok_only_skus:
        assert sku in products_by_sku


async def test_catalog_reload_keeps_products(http, runtime):
    first = (await http.post("/_sandbox/catalog", json={})).json()
    count = len(runtime.store.products)

    second = (await http.post("/_sandbox/catalog", json={})).json()

    assert second["products_created"] == 0
    assert second["products_existing"] == first["products_created"]
    assert second["product_ids"] == first["product_ids"]
    assert len(runtime.store.products) == count


async def test_catalog_other_shop_currency(http, runtime, shops):
    body = (await http.post("/_sandbox/catalog", json={"shop_id": shops["GB"].id})).json()

    product = runtime.store.products[body["product_ids"][0]]
    assert product.shop_id == shops["GB"].id
    assert {sku.currency for sku in product.skus} == {"GBP"}


async def test_catalog_unknown_shop_rejected(http):
    response = await http.post("/_sandbox/catalog", json={"shop_id": "123"})

    assert response.status_code == 404
    assert "'123'" in response.json()["detail"]


async def test_generate_after_catalog_uses_demo_skus(http, runtime):
    await http.post("/_sandbox/catalog", json={})

    order_ids = (await http.post(GENERATE, json={"count": 40, "seed": 5})).json()["order_ids"]

    seller_skus = {line.seller_sku for order_id in order_ids for line in runtime.store.orders[order_id].line_items}
    assert seller_skus & {listing.seller_sku for listing in build_demo_catalog().tiktok}
