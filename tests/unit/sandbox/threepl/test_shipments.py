"""Shipments posted back to the hub: automatic, multi-package, partial and manual."""

import asyncio
from datetime import datetime


def shipped_units(shipments):
    totals = {}
    for shipment in shipments:
        for line in shipment["lines"]:
            totals[line["line_id"]] = totals.get(line["line_id"], 0) + line["quantity"]
    return totals


async def set_plan(client, **plan):
    response = await client.put("/_sandbox/accounts/default/plan", json=plan)
    assert response.status_code == 200


async def test_shipment_posted_after_delay(post_signed, sample_body, hub):
    await post_signed("/shipping-requests", sample_body())

    await hub.wait_for_posts(1)

    post = hub.posts[0]
    assert post["signed"] is True
    assert post["integration_id"] == "int-3pl-test"
    assert post["status"] == 200
    assert post["body"]["request_id"] == "req-1"
    assert shipped_units([post["body"]]) == {"L1": 3, "L2": 1}


async def test_shipment_carries_tracking(post_signed, sample_body, hub):
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(1)

    body = hub.posts[0]["body"]

    assert body["carrier"] == "sandbox-parcel"
    assert body["tracking_number"].startswith("SBX")
    assert body["tracking_url"].endswith("/_sandbox/tracking/" + body["tracking_number"])
    assert body["shipment_id"]
    assert datetime.fromisoformat(body["shipped_at"]).utcoffset() is not None


async def test_shipment_tracking_page_finds_shipment(post_signed, sample_body, hub, client):
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(1)
    tracking_number = hub.posts[0]["body"]["tracking_number"]

    response = await client.get(f"/_sandbox/tracking/{tracking_number}")

    assert response.status_code == 200
    assert response.json()["shipment_id"] == hub.posts[0]["body"]["shipment_id"]


async def test_shipment_marks_request_shipped(post_signed, sample_body, hub, client):
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(1)

    stored = (await client.get("/_sandbox/accounts/default/shipping-requests/req-1")).json()

    assert stored["status"] == "shipped"
    assert [line["remaining"] for line in stored["lines"]] == [0, 0]
    assert stored["shipments"][0]["delivery"] == "delivered"


async def test_shipment_waits_for_delay(post_signed, sample_body, hub, client):
    await set_plan(client, ship_delay_seconds=0.5)
    await post_signed("/shipping-requests", sample_body())
    await asyncio.sleep(0.1)

    assert hub.posts == []

    await hub.wait_for_posts(1)


async def test_shipment_split_into_packages(post_signed, sample_body, hub, client):
    await set_plan(client, ship_delay_seconds=0.02, packages=3)
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(3)
    await asyncio.sleep(0.1)

    bodies = [post["body"] for post in hub.posts]

    assert len(bodies) == 3
    assert len({body["shipment_id"] for body in bodies}) == 3
    assert len({body["tracking_number"] for body in bodies}) == 3
    assert bodies[0]["lines"] == [{"line_id": "L1", "quantity": 1}, {"line_id": "L2", "quantity": 1}]
    assert shipped_units(bodies) == {"L1": 3, "L2": 1}


async def test_shipment_partial_then_manual_rest(post_signed, sample_body, hub, client):
    await set_plan(client, ship_delay_seconds=0.02, packages=2, auto_packages=1)
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(1)
    await asyncio.sleep(0.1)

    partial = (await client.get("/_sandbox/accounts/default/shipping-requests/req-1")).json()
    rest = await client.post("/_sandbox/accounts/default/shipping-requests/req-1/ship")
    done = (await client.get("/_sandbox/accounts/default/shipping-requests/req-1")).json()

    assert partial["status"] == "partially_shipped"
    assert [line["remaining"] for line in partial["lines"]] == [1, 0]
    assert rest.status_code == 200
    assert rest.json()[0]["lines"] == [{"line_id": "L1", "quantity": 1}]
    assert done["status"] == "shipped"
    assert shipped_units([post["body"] for post in hub.posts]) == {"L1": 3, "L2": 1}


async def test_shipment_manual_partial_lines(post_signed, sample_body, hub, client):
    await set_plan(client, auto_ship=False)
    await post_signed("/shipping-requests", sample_body())

    response = await client.post(
        "/_sandbox/accounts/default/shipping-requests/req-1/ship",
        json={"lines": [{"line_id": "L1", "quantity": 2}]},
    )

    assert response.status_code == 200
    assert response.json()[0]["delivery"] == "delivered"
    assert hub.posts[0]["body"]["lines"] == [{"line_id": "L1", "quantity": 2}]


async def test_shipment_manual_over_remaining_is_422(post_signed, sample_body, hub, client):
    await set_plan(client, auto_ship=False)
    await post_signed("/shipping-requests", sample_body())

    response = await client.post(
        "/_sandbox/accounts/default/shipping-requests/req-1/ship",
        json={"lines": [{"line_id": "L2", "quantity": 2}]},
    )

    assert response.status_code == 422
    assert response.json()["type"] == "urn:crossdock:problem:quantity-exceeds-remaining"
    assert response.json()["errors"] == [{"line_id": "L2", "requested": 2, "remaining": 1}]
    assert hub.posts == []


async def test_shipment_manual_over_ship_when_allowed(post_signed, sample_body, hub, client):
    await set_plan(client, auto_ship=False)
    await post_signed("/shipping-requests", sample_body())

    response = await client.post(
        "/_sandbox/accounts/default/shipping-requests/req-1/ship",
        json={"lines": [{"line_id": "L2", "quantity": 5}], "allow_over_ship": True},
    )

    assert response.status_code == 200
    assert hub.posts[0]["body"]["lines"] == [{"line_id": "L2", "quantity": 5}]


async def test_shipment_manual_unknown_line_is_422(post_signed, sample_body, hub, client):
    await set_plan(client, auto_ship=False)
    await post_signed("/shipping-requests", sample_body())

    response = await client.post(
        "/_sandbox/accounts/default/shipping-requests/req-1/ship",
        json={"lines": [{"line_id": "L9", "quantity": 1}]},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lines[0].line_id"


async def test_shipment_plan_override_by_order(post_signed, sample_body, hub, client):
    override = {"external_order_id": "MK-1001-A", "plan": {"ship_delay_seconds": 0.02, "packages": 2}}
    await client.post("/_sandbox/accounts/default/plan-overrides", json=override)
    await post_signed("/shipping-requests", sample_body())

    await hub.wait_for_posts(2)

    assert shipped_units([post["body"] for post in hub.posts]) == {"L1": 3, "L2": 1}


async def test_shipment_plan_override_needs_one_key(client):
    response = await client.post("/_sandbox/accounts/default/plan-overrides", json={"plan": {}})

    assert response.status_code == 422


async def test_shipment_uses_channel_label_first(post_signed, sample_body, hub, client):
    await set_plan(client, ship_delay_seconds=0.02, packages=2)
    label = {
        "document_url": "https://docs.example/l.pdf",
        "format": "pdf",
        "carrier": "USPS",
        "tracking_number": "9400",
    }
    await post_signed("/shipping-requests", sample_body(label=label))
    await hub.wait_for_posts(2)

    first, second = (post["body"] for post in hub.posts)

    assert (first["carrier"], first["tracking_number"]) == ("USPS", "9400")
    assert second["tracking_number"] != "9400"


async def test_shipment_resend_keeps_shipment_id(post_signed, sample_body, hub, client):
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(1)
    shipment_id = hub.posts[0]["body"]["shipment_id"]

    response = await client.post(f"/_sandbox/shipments/{shipment_id}/resend")

    assert response.status_code == 200
    assert [post["body"]["shipment_id"] for post in hub.posts] == [shipment_id, shipment_id]
    assert hub.posts[1]["body"] == hub.posts[0]["body"]
    assert len(response.json()["attempts"]) == 2


async def test_shipment_post_logged_with_hub_answer(post_signed, sample_body, hub, client):
    await post_signed("/shipping-requests", sample_body())
    await hub.wait_for_posts(1)
    await asyncio.sleep(0.05)

    entries = (await client.get("/_sandbox/log", params={"direction": "sent"})).json()

    assert len(entries) == 1
    assert entries[0]["url"] == f"{hub.url}/v1/3pl/int-3pl-test/shipments"
    assert entries[0]["status_code"] == 200
    assert entries[0]["attempt"] == 1
    assert entries[0]["response_body"]["shipment_id"] == entries[0]["shipment_id"]
