"""OR11 paging and filters, OR21/OR23/OR24/OR29/OR30 and the order state machine."""

import json

import pytest
from crossdock_sandbox.mirakl.seed import SeedRequest, seed_store


def waiting_order(store):
    return next(record for record in store.shop_orders(2001).values() if record.state == "WAITING_ACCEPTANCE")


def decisions(record, accepted=True):
    return {"order_lines": [{"id": line["order_line_id"], "accepted": accepted} for line in record.lines]}


async def test_or11_walk_23_orders_by_ten(client, store):
    seed_store(store, SeedRequest(seed=7, order_count=23))
    sizes, seen = [], []

    for offset in (0, 10, 20):
        response = await client.get("/api/orders", params={"max": 10, "offset": offset})
        assert response.status_code == 200
        sizes.append(len(response.json()["orders"]))
        assert response.json()["total_count"] == 23
        seen += [order["order_id"] for order in response.json()["orders"]]

    assert sizes == [10, 10, 3]
    assert len(set(seen)) == 23


async def test_or11_max_over_100_rejected(client):
    response = await client.get("/api/orders", params={"max": 101})

    assert response.status_code == 400
    assert "max" in response.json()["message"]


async def test_or11_more_than_100_ids_rejected(client):
    response = await client.get("/api/orders", params={"order_ids": ",".join(f"X{n}-A" for n in range(101))})

    assert response.status_code == 400
    assert "order_ids" in response.json()["message"]


async def test_or11_unknown_state_rejected(client):
    response = await client.get("/api/orders", params={"order_state_codes": "WAITING"})

    assert response.status_code == 400


async def test_or11_unknown_sort_rejected(client):
    response = await client.get("/api/orders", params={"sort": "price"})

    assert response.status_code == 400


async def test_or11_filters_by_state_and_ids(client, store):
    response = await client.get("/api/orders", params={"order_state_codes": "WAITING_ACCEPTANCE,SHIPPING", "max": 100})
    states = {order["order_state"] for order in response.json()["orders"]}
    wanted = [record.order_id for record in store.shop_orders(2001).values()][:2]
    store.limiter.reset()
    by_ids = await client.get("/api/orders", params={"order_ids": ",".join(wanted)})

    assert states == {"WAITING_ACCEPTANCE", "SHIPPING"}
    assert sorted(order["order_id"] for order in by_ids.json()["orders"]) == sorted(wanted)


async def test_or11_sort_desc_reverses(client):
    ascending = (await client.get("/api/orders", params={"max": 100})).json()["orders"]
    descending = (
        await client.get("/api/orders", params={"max": 100, "order": "desc", "customer_debited": "true"})
    ).json()["orders"]

    assert [order["created_date"] for order in ascending] == sorted(order["created_date"] for order in ascending)
    assert [order["order_id"] for order in descending] == [
        order["order_id"] for order in reversed(ascending) if order.get("customer_debited_date")
    ]


async def test_or11_paginate_false_returns_all(client, store):
    seed_store(store, SeedRequest(order_count=30))

    response = await client.get("/api/orders", params={"paginate": "false"})

    assert len(response.json()["orders"]) == 30


async def test_or11_hides_address_before_acceptance(client, store):
    record = waiting_order(store)

    response = await client.get("/api/orders", params={"order_ids": record.order_id})

    assert "shipping_address" not in response.json()["orders"][0]["customer"]


async def test_or21_accept_moves_to_waiting_debit(client, store):
    record = waiting_order(store)

    response = await client.put(f"/api/orders/{record.order_id}/accept", json=decisions(record))

    assert response.status_code == 204
    assert record.state == "WAITING_DEBIT"
    assert all(line["order_line_state"] == "WAITING_DEBIT" for line in record.lines)


async def test_or21_refuse_all_lines_refuses_order(client, store):
    record = waiting_order(store)

    response = await client.put(f"/api/orders/{record.order_id}/accept", json=decisions(record, accepted=False))

    assert response.status_code == 204
    assert record.state == "REFUSED"


async def test_or21_non_waiting_order_rejected(client, store):
    record = next(record for record in store.shop_orders(2001).values() if record.state == "SHIPPING")

    response = await client.put(f"/api/orders/{record.order_id}/accept", json=decisions(record))

    assert response.status_code == 400
    assert response.json()["code"] == "ORDER_INVALID_STATE"


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda body: body["order_lines"].pop(), "ORDER_LINE_ACCEPTANCE_DECISION_MISSING"),
        (lambda body: body["order_lines"].append(dict(body["order_lines"][0])), "ORDER_LINE_DUPLICATE_ID"),
        (lambda body: body["order_lines"].append({"id": "NOPE-1", "accepted": True}), "ORDER_LINE_NOT_FOUND"),
        (lambda body: body["order_lines"].append(None), "ORDER_LINE_NULL_ELEMENT"),
    ],
)
async def test_or21_bad_decisions_rejected(client, store, mutate, code):
    record = waiting_order(store)
    body = decisions(record)
    mutate(body)

    response = await client.put(f"/api/orders/{record.order_id}/accept", json=body)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert record.state == "WAITING_ACCEPTANCE"


async def test_or21_partial_acceptance_disabled(client, store, settings):
    settings.partial_acceptance_enabled = False
    record = next(
        record
        for record in store.shop_orders(2001).values()
        if record.state == "WAITING_ACCEPTANCE" and len(record.lines) > 1
    )
    body = decisions(record)
    body["order_lines"][0]["accepted"] = False

    response = await client.put(f"/api/orders/{record.order_id}/accept", json=body)

    assert response.status_code == 400
    assert response.json()["code"] == "ORDER_PARTIAL_ACCEPTANCE_DISABLED"


async def test_or21_unknown_order_404(client):
    response = await client.put("/api/orders/NOPE-A/accept", json={"order_lines": []})

    assert response.status_code == 404


async def test_order_full_flow_to_closed(client, store):
    record = waiting_order(store)
    order_id = record.order_id

    await client.put(f"/api/orders/{order_id}/accept", json=decisions(record))
    await client.get("/_sandbox/state")
    assert record.state == "WAITING_DEBIT_PAYMENT"
    assert (await client.post(f"/_sandbox/orders/{order_id}/debit")).json()["order_state"] == "SHIPPING"
    tracking = await client.put(
        f"/api/orders/{order_id}/tracking", json={"carrier_code": "UPS", "tracking_number": "1Z999"}
    )
    shipped = await client.put(f"/api/orders/{order_id}/ship")
    await client.post(f"/_sandbox/orders/{order_id}/receive")
    await client.post(f"/_sandbox/orders/{order_id}/close")

    assert tracking.status_code == 204
    assert shipped.status_code == 204
    assert record.payload["shipping_tracking_url"].endswith("1Z999")
    assert record.state == "CLOSED"


async def test_or24_outside_shipping_rejected(client, store):
    record = waiting_order(store)

    response = await client.put(f"/api/orders/{record.order_id}/ship")

    assert response.status_code == 400
    assert "SHIPPING" in response.json()["message"]
    assert record.state == "WAITING_ACCEPTANCE"


async def test_or24_mandatory_tracking_enforced(client, store):
    record = next(record for record in store.shop_orders(2001).values() if record.state == "SHIPPING")
    record.payload["shipping_type_code"] = "EXP"

    response = await client.put(f"/api/orders/{record.order_id}/ship")

    assert response.status_code == 400
    assert "Tracking" in response.json()["message"]


async def test_or23_unknown_carrier_rejected(client, store):
    record = next(record for record in store.shop_orders(2001).values() if record.state == "SHIPPING")

    response = await client.put(
        f"/api/orders/{record.order_id}/tracking", json={"carrier_code": "PIGEON", "tracking_number": "1"}
    )

    assert response.status_code == 400


async def test_or29_cancels_unpaid_order(client, store):
    record = waiting_order(store)
    await client.put(f"/api/orders/{record.order_id}/accept", json=decisions(record))

    response = await client.put(f"/api/orders/{record.order_id}/cancel")

    assert response.status_code == 204
    assert record.state == "CANCELED"


async def test_or29_paid_order_rejected(client, store):
    record = next(record for record in store.shop_orders(2001).values() if record.state == "SHIPPING")

    response = await client.put(f"/api/orders/{record.order_id}/cancel")

    assert response.status_code == 400
    assert record.state == "SHIPPING"


async def test_or30_cancels_whole_line(client, store):
    record = next(record for record in store.shop_orders(2001).values() if record.state == "SHIPPING")
    body = {
        "cancelations": [
            {
                "order_line_id": line["order_line_id"],
                "quantity": line["quantity"],
                "amount": line["price"],
                "shipping_amount": 0,
                "reason_code": "34",
            }
            for line in record.lines
        ]
    }

    response = await client.put("/api/orders/cancel", json=body)

    assert response.status_code == 200
    assert response.json()["cancelations"][0]["cancelation_id"]
    assert record.state == "CANCELED"


async def test_or30_unknown_reason_rejected(client, store):
    record = next(record for record in store.shop_orders(2001).values() if record.state == "SHIPPING")
    body = {
        "cancelations": [
            {
                "order_line_id": record.lines[0]["order_line_id"],
                "quantity": 1,
                "amount": 1,
                "shipping_amount": 0,
                "reason_code": "999",
            }
        ]
    }

    response = await client.put("/api/orders/cancel", json=body)

    assert response.status_code == 400


async def test_order_auto_refused_after_deadline(client, store, settings):
    record = waiting_order(store)

    await client.post("/_sandbox/clock/advance", json={"seconds": settings.acceptance_deadline_seconds + 1})

    assert record.state == "REFUSED"
    assert record.payload["acceptance_decision_date"] is None


async def test_order_auto_accepted_between_polls(client, store):
    record = waiting_order(store)

    await client.patch("/_sandbox/platform", json={"order_acceptance": "AUTOMATIC"})
    response = await client.get("/api/orders", params={"order_ids": record.order_id})

    assert response.json()["orders"][0]["order_state"] in ("WAITING_DEBIT", "WAITING_DEBIT_PAYMENT")


async def test_order_customer_cancel_event(client, store):
    record = waiting_order(store)

    response = await client.post(f"/_sandbox/orders/{record.order_id}/customer-cancel")

    assert response.json()["order_state"] == "CANCELED"


async def test_order_fixtures_served_and_parse(client, shared_dir):
    fixtures = sorted((shared_dir / "fixtures" / "mirakl" / "orders").glob("*.json"))
    payloads = [json.loads(path.read_text()) for path in fixtures]

    loaded = await client.post("/_sandbox/orders/import", json={"orders": payloads})
    response = await client.get("/api/orders", params={"order_ids": ",".join(order["order_id"] for order in payloads)})

    assert loaded.status_code == 200
    served = {order["order_id"]: order for order in response.json()["orders"]}
    assert len(fixtures) == 2
    for payload in payloads:
        assert served[payload["order_id"]] == payload
        assert served[payload["order_id"]]["order_lines"][0]["offer_sku"]


async def test_order_fixture_in_shipping_can_ship(client, shared_dir):
    payload = json.loads((shared_dir / "fixtures" / "mirakl" / "orders" / "order-with-taxes.json").read_text())
    await client.post("/_sandbox/orders/import", json={"orders": [payload]})

    response = await client.put(f"/api/orders/{payload['order_id']}/ship")

    assert response.status_code == 204
