"""Admin API: seeding, faults, latency, request log and shipments on multi-shipment platforms."""

import time


async def test_seed_same_value_same_data(client):
    first = (await client.post("/_sandbox/seed", json={"seed": 5})).json()
    second = (await client.post("/_sandbox/seed", json={"seed": 5})).json()
    other = (await client.post("/_sandbox/seed", json={"seed": 6})).json()

    assert first == second
    assert first["orders"] != other["orders"]


async def test_seed_has_shared_and_conflicting_skus(store):
    first, second = store.shop_offers(2001), store.shop_offers(2002)

    shared = set(first) & set(second)

    assert shared
    assert first["MUG-WHITE"].product_sku != second["MUG-WHITE"].product_sku
    assert any(sku.lower() == sku and sku.upper() in first for sku in second)


async def test_seed_unknown_state_rejected(client):
    response = await client.post("/_sandbox/seed", json={"order_states": ["PAID"]})

    assert response.status_code == 400


async def test_fault_next_calls_answer_500_then_recover(client):
    await client.post("/_sandbox/faults", json={"kind": "500", "count": 2})

    statuses = [(await client.get("/api/version")).status_code for _ in range(3)]

    assert statuses == [500, 500, 200]


async def test_fault_429_carries_retry_after(client):
    await client.post("/_sandbox/faults", json={"kind": "429", "count": 1, "retry_after_seconds": 3})

    response = await client.get("/api/orders")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"


async def test_fault_timeout_holds_then_504(client, settings):
    settings.fault_timeout_seconds = 0.3
    await client.post("/_sandbox/faults", json={"kind": "timeout", "count": 1})
    started = time.monotonic()

    response = await client.get("/api/version")

    assert response.status_code == 504
    assert time.monotonic() - started >= 0.3


async def test_request_log_records_calls(client):
    await client.get("/api/orders", params={"order_state_codes": "SHIPPING"})
    await client.put("/api/orders/NOPE-A/accept", json={"order_lines": []})

    log = (await client.get("/_sandbox/requests")).json()["requests"]

    assert [(entry["method"], entry["path"], entry["status"]) for entry in log] == [
        ("GET", "/api/orders", 200),
        ("PUT", "/api/orders/NOPE-A/accept", 404),
    ]
    assert log[0]["query"] == {"order_state_codes": ["SHIPPING"]}
    assert log[0]["operation"] == "OR11"
    assert log[1]["body"] == '{"order_lines":[]}'


async def test_order_edit_changes_quantity(client, store):
    record = next(record for record in store.shop_orders(2001).values() if record.state == "WAITING_ACCEPTANCE")
    line_id = record.lines[0]["order_line_id"]

    response = await client.patch(f"/_sandbox/orders/{record.order_id}", json={"line_quantities": {line_id: 9}})

    assert response.status_code == 200
    assert record.lines[0]["quantity"] == 9
    assert record.lines[0]["price"] == round(record.lines[0]["price_unit"] * 9, 2)


async def test_st01_disabled_without_multi_shipment(client, store):
    record = next(record for record in store.shop_orders(2001).values() if record.state == "SHIPPING")

    response = await client.post(
        "/api/shipments", json={"shipments": [{"order_id": record.order_id, "shipment_lines": []}]}
    )

    assert response.status_code == 400


async def test_st01_st24_ship_order(client, store):
    await client.patch("/_sandbox/platform", json={"multi_shipment": True})
    record = next(record for record in store.shop_orders(2001).values() if record.state == "SHIPPING")
    lines = [{"order_line_id": line["order_line_id"], "quantity": line["quantity"]} for line in record.lines]

    created = await client.post(
        "/api/shipments", json={"shipments": [{"order_id": record.order_id, "shipment_lines": lines}]}
    )
    shipment_id = created.json()["shipment_success"][0]["id"]
    tracked = await client.post(
        "/api/shipments/tracking",
        json={"shipments": [{"id": shipment_id, "tracking": {"carrier_code": "UPS", "tracking_number": "1Z"}}]},
    )
    shipped = await client.put("/api/shipments/ship", json={"shipments": [{"id": shipment_id}, {"id": "missing"}]})
    listed = await client.get("/api/shipments", params={"order_id": record.order_id})

    assert created.status_code == 201
    assert tracked.json()["shipment_success"] == [{"id": shipment_id}]
    assert shipped.json()["shipment_errors"][0]["id"] == "missing"
    assert listed.json()["data"][0]["status"] == "SHIPPED"
    assert record.state == "SHIPPED"


async def test_st01_order_not_shipping_reported(client, store):
    await client.patch("/_sandbox/platform", json={"multi_shipment": True})
    record = next(record for record in store.shop_orders(2001).values() if record.state == "WAITING_ACCEPTANCE")
    lines = [{"order_line_id": record.lines[0]["order_line_id"], "quantity": 1}]

    response = await client.post(
        "/api/shipments", json={"shipments": [{"order_id": record.order_id, "shipment_lines": lines}]}
    )

    assert response.status_code == 201
    assert "SHIPPING" in response.json()["shipment_errors"][0]["message"]


async def test_st11_seek_pages(client, store):
    await client.patch("/_sandbox/platform", json={"multi_shipment": True})
    shipping = [record for record in store.shop_orders(2001).values() if record.state == "SHIPPING"]
    body = {
        "shipments": [
            {
                "order_id": record.order_id,
                "shipment_lines": [{"order_line_id": record.lines[0]["order_line_id"], "quantity": 1}],
            }
            for record in shipping
        ]
    }
    await client.post("/api/shipments", json=body)

    first = await client.get("/api/shipments", params={"limit": 2})
    second = await client.get("/api/shipments", params={"page_token": first.json()["next_page_token"]})

    assert len(first.json()["data"]) == 2
    assert len(second.json()["data"]) == len(shipping) - 2
    assert "next_page_token" not in second.json()
