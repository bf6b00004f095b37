"""Orders: search filters and paging, detail, per-unit line items, FBT and all statuses."""

from crossdock_sandbox.tiktok.store import ORDER_STATUSES


async def _all_orders(api, body=None, size="7"):
    orders, token = [], ""
    while True:
        query = {"page_size": size} | ({"page_token": token} if token else {})
        data = (await api.call("POST", "/order/202309/orders/search", query=query, body=body or {})).json()["data"]
        orders += data["orders"]
        token = data["next_page_token"]
        if not token:
            return orders


async def test_order_search_pages_until_empty_token(api, runtime, shops):
    orders = await _all_orders(api)

    expected = [o.id for o in runtime.store.orders.values() if o.shop_id == shops["US"].id]
    assert sorted(o["id"] for o in orders) == sorted(expected)


async def test_order_search_sorts_by_update_time_ascending(api):
    data = (
        await api.call(
            "POST",
            "/order/202309/orders/search",
            query={"page_size": "50", "sort_field": "update_time", "sort_order": "ASC"},
            body={},
        )
    ).json()["data"]

    times = [o["update_time"] for o in data["orders"]]
    assert times == sorted(times)


async def test_order_search_filters_status_and_shipping_type(api):
    awaiting = await _all_orders(api, {"order_status": "AWAITING_SHIPMENT"})
    platform = await _all_orders(api, {"shipping_type": "TIKTOK"})

    assert awaiting
    assert {o["status"] for o in awaiting} == {"AWAITING_SHIPMENT"}
    assert platform
    assert {o["shipping_type"] for o in platform} == {"TIKTOK"}


async def test_order_seed_covers_statuses_and_fbt(api):
    orders = await _all_orders(api)

    assert {o["status"] for o in orders} == set(ORDER_STATUSES)
    assert {o["fulfillment_type"] for o in orders} == {"FULFILLMENT_BY_SELLER", "FULFILLMENT_BY_TIKTOK"}
    assert {o["shipping_type"] for o in orders} == {"SELLER", "TIKTOK"}


async def test_order_line_items_one_per_unit(http, api, runtime, shops):
    sku = next(
        p for p in runtime.store.products.values() if p.shop_id == shops["US"].id and p.title == "Merino Beanie"
    ).skus[0]
    placed = (
        await http.post(
            "/_sandbox/orders", json={"shop_id": shops["US"].id, "lines": [{"sku_id": sku.id, "quantity": 3}]}
        )
    ).json()

    data = (await api.call("GET", "/order/202309/orders", query={"ids": placed["id"]})).json()["data"]

    lines = data["orders"][0]["line_items"]
    assert len(lines) == 3
    assert {line["sku_id"] for line in lines} == {sku.id}
    assert len({line["id"] for line in lines}) == 3
    assert all("quantity" not in line for line in lines)


async def test_order_detail_unknown_id_rejected(api):
    response = await api.call("GET", "/order/202309/orders", query={"ids": "1"})

    assert response.json()["code"] == 21008111


async def test_order_detail_more_than_50_ids_rejected(api):
    response = await api.call("GET", "/order/202309/orders", query={"ids": ",".join(str(i) for i in range(51))})

    assert response.json()["code"] == 36009004


async def test_order_unpaid_withholds_address(http, api, runtime, shops):
    sku = next(p for p in runtime.store.products.values() if p.shop_id == shops["US"].id).skus[0]
    placed = (
        await http.post(
            "/_sandbox/orders", json={"shop_id": shops["US"].id, "lines": [{"sku_id": sku.id, "quantity": 1}]}
        )
    ).json()

    paid = (await http.post(f"/_sandbox/orders/{placed['id']}/pay")).json()

    assert placed["recipient_address"]["full_address"] == ""
    assert paid["status"] == "AWAITING_SHIPMENT"
    assert paid["recipient_address"]["full_address"]
    assert len(paid["packages"]) == 1
