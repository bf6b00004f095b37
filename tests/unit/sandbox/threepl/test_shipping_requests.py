"""Receiving shipping requests: acknowledgement, idempotent repeats and accounts."""

import asyncio


async def test_shipping_request_acknowledged_with_202(post_signed, sample_body):
    response = await post_signed("/shipping-requests", sample_body())

    assert response.status_code == 202
    assert response.json()["request_id"] == "req-1"
    assert response.json()["status"] == "accepted"
    assert response.json()["received_at"]


async def test_shipping_request_repeat_gets_same_answer(post_signed, sample_body):
    first = await post_signed("/shipping-requests", sample_body())
    repeat = await post_signed("/shipping-requests", sample_body())

    assert repeat.status_code == first.status_code
    assert repeat.json() == first.json()


async def test_shipping_request_repeat_ships_once(post_signed, sample_body, client, hub):
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(1)
    await post_signed("/shipping-requests", sample_body())
    await asyncio.sleep(0.2)

    shipments = (await client.get("/_sandbox/shipments")).json()

    assert len(shipments) == 1
    assert len(hub.posts) == 1


async def test_shipping_request_repeat_after_ship_gets_same_answer(post_signed, sample_body, hub):
    first = await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(1)

    repeat = await post_signed("/shipping-requests", sample_body())

    assert repeat.status_code == 202
    assert repeat.json() == first.json()


async def test_shipping_request_changed_repeat_is_409(post_signed, sample_body):
    await post_signed("/shipping-requests", sample_body())
    changed = sample_body()
    changed["lines"][0]["quantity"] = 5

    response = await post_signed("/shipping-requests", changed)

    assert response.status_code == 409
    assert response.json()["type"] == "urn:crossdock:problem:request-id-conflict"


async def test_shipping_request_unknown_account_is_404(post_signed, sample_body):
    response = await post_signed("/accounts/nobody/shipping-requests", sample_body())

    assert response.status_code == 404
    assert response.json()["type"] == "urn:crossdock:problem:account-not-found"


async def test_shipping_request_default_account_under_prefix(post_signed, sample_body, client):
    response = await post_signed("/accounts/default/shipping-requests", sample_body())

    stored = await client.get("/_sandbox/accounts/default/shipping-requests/req-1")

    assert response.status_code == 202
    assert stored.status_code == 200
    assert stored.json()["request"]["ship_to"]["country"] == "FR"


async def test_shipping_request_ids_scoped_per_account(post_signed, sample_body, client, hub):
    config = {"secret": "b-secret", "hub_url": hub.url, "integration_id": "int-b", "plan": {"auto_ship": False}}
    await client.put("/_sandbox/accounts/warehouse-b", json=config)

    first = await post_signed("/shipping-requests", sample_body())
    second = await post_signed("/accounts/warehouse-b/shipping-requests", sample_body(), secret="b-secret")

    assert first.status_code == 202
    assert second.status_code == 202
    assert len((await client.get("/_sandbox/accounts/warehouse-b/shipping-requests")).json()) == 1


async def test_shipping_request_logged_with_answer(post_signed, sample_body, client):
    await post_signed("/shipping-requests", sample_body())

    entries = (await client.get("/_sandbox/log", params={"direction": "received", "request_id": "req-1"})).json()

    assert len(entries) == 1
    assert entries[0]["status_code"] == 202
    assert entries[0]["request_body"]["order_ref"]["external_order_id"] == "MK-1001-A"
    assert entries[0]["response_body"]["status"] == "accepted"
    assert entries[0]["signature"].startswith("sha256=")
