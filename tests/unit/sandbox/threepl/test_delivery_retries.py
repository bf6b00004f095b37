"""Retries of the shipment post when the hub does not accept it."""

import asyncio


async def test_delivery_retries_after_500(post_signed, sample_body, hub, client):
    hub.scripted_statuses = [500]
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(2)
    await asyncio.sleep(0.05)

    shipments = (await client.get("/_sandbox/shipments")).json()

    assert [post["status"] for post in hub.posts] == [500, 200]
    assert len(shipments) == 1
    assert shipments[0]["delivery"] == "delivered"
    assert [attempt["status_code"] for attempt in shipments[0]["attempts"]] == [500, 200]


async def test_delivery_retry_keeps_shipment_id_and_body(post_signed, sample_body, hub):
    hub.scripted_statuses = [503, 500]
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(3)

    bodies = [post["body"] for post in hub.posts]

    assert len({body["shipment_id"] for body in bodies}) == 1
    assert bodies[0] == bodies[1] == bodies[2]
    assert all(post["signed"] for post in hub.posts)


async def test_delivery_gives_up_after_attempts(post_signed, sample_body, hub, client, settings):
    hub.scripted_statuses = [500] * 10
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(settings.post_attempts)
    await asyncio.sleep(0.3)

    shipment = (await client.get("/_sandbox/shipments")).json()[0]

    assert len(hub.posts) == settings.post_attempts
    assert shipment["delivery"] == "failed"


async def test_delivery_does_not_retry_422(post_signed, sample_body, hub, client):
    hub.scripted_statuses = [422]
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(1)
    await asyncio.sleep(0.2)

    shipment = (await client.get("/_sandbox/shipments")).json()[0]

    assert len(hub.posts) == 1
    assert shipment["delivery"] == "rejected"


async def test_delivery_retries_connection_error(post_signed, sample_body, client, settings):
    await client.put("/_sandbox/accounts/default/plan", json={"auto_ship": False})
    await post_signed("/shipping-requests", sample_body())

    response = await client.post("/_sandbox/accounts/default/shipping-requests/req-1/ship")

    attempts = response.json()[0]["attempts"]
    assert response.json()[0]["delivery"] == "failed"
    assert len(attempts) == settings.post_attempts
    assert all(attempt["error"] for attempt in attempts)


async def test_delivery_attempts_logged(post_signed, sample_body, hub, client):
    hub.scripted_statuses = [500]
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(2)
    await asyncio.sleep(0.05)

    entries = (await client.get("/_sandbox/log", params={"direction": "sent"})).json()

    assert [entry["attempt"] for entry in entries] == [1, 2]
    assert [entry["status_code"] for entry in entries] == [500, 200]
    assert entries[0]["shipment_id"] == entries[1]["shipment_id"]
