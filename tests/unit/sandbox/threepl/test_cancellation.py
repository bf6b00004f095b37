"""Cancelling shipping requests before and after they ship."""

import asyncio


async def manual_plan(client):
    await client.put("/_sandbox/accounts/default/plan", json={"auto_ship": False})


async def test_cancel_before_ship_returns_200(post_signed, sample_body):
    await post_signed("/shipping-requests", sample_body())

    response = await post_signed("/shipping-requests/req-1/cancel", {"reason": "buyer cancelled"})

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["request_id"] == "req-1"


async def test_cancel_before_ship_never_ships(post_signed, sample_body, client, hub, ship_delay):
    await post_signed("/shipping-requests", sample_body())
    await post_signed("/shipping-requests/req-1/cancel", {})
    await asyncio.sleep(ship_delay * 4)

    stored = (await client.get("/_sandbox/accounts/default/shipping-requests/req-1")).json()

    assert stored["status"] == "cancelled"
    assert stored["shipments"] == []
    assert hub.posts == []


async def test_cancel_with_empty_body_returns_200(post_signed, sample_body):
    await post_signed("/shipping-requests", sample_body())

    response = await post_signed("/shipping-requests/req-1/cancel", b"")

    assert response.status_code == 200


async def test_cancel_repeat_gets_same_answer(post_signed, sample_body):
    await post_signed("/shipping-requests", sample_body())

    first = await post_signed("/shipping-requests/req-1/cancel", {})
    repeat = await post_signed("/shipping-requests/req-1/cancel", {})

    assert repeat.status_code == 200
    assert repeat.json() == first.json()


async def test_cancel_after_ship_is_409(post_signed, sample_body, hub):
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(1)

    response = await post_signed("/shipping-requests/req-1/cancel", {})

    assert response.status_code == 409
    assert response.json()["type"] == "urn:crossdock:problem:already-shipped"
    assert "L1 x3" in response.json()["detail"]


async def test_cancel_after_partial_ship_is_409(post_signed, sample_body, client):
    await manual_plan(client)
    await post_signed("/shipping-requests", sample_body())
    ship = {"lines": [{"line_id": "L1", "quantity": 1}]}
    await client.post("/_sandbox/accounts/default/shipping-requests/req-1/ship", json=ship)

    response = await post_signed("/shipping-requests/req-1/cancel", {})

    assert response.status_code == 409


async def test_cancel_unknown_request_is_404(post_signed):
    response = await post_signed("/shipping-requests/req-unknown/cancel", {})

    assert response.status_code == 404
    assert response.json()["type"] == "urn:crossdock:problem:shipping-request-not-found"


async def test_cancelled_request_cannot_ship_manually(post_signed, sample_body, client):
    await manual_plan(client)
    await post_signed("/shipping-requests", sample_body())
    await post_signed("/shipping-requests/req-1/cancel", {})

    response = await client.post("/_sandbox/accounts/default/shipping-requests/req-1/ship")

    assert response.status_code == 409
    assert response.json()["type"] == "urn:crossdock:problem:already-cancelled"
