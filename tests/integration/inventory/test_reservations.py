"""Stock reservation through order events: commit on entry, move on routing, release, ship."""

import pytest
from crossdock_inventory.testing import (
    availability_events,
    create_location,
    fetch,
    fetchval,
    line,
    order_payload,
    outbox_count,
    publish_integration,
    publish_product,
    set_stock,
    settle,
    wait_for_row,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def level(harness, sku, location_id):
    rows = await fetch(
        harness, "SELECT on_hand, committed FROM stock_levels WHERE sku = $1 AND location_id = $2", sku, location_id
    )
    return rows[0] if rows else None


async def unallocated(harness, sku):
    return await fetchval(
        harness, "SELECT COALESCE(sum(quantity), 0) FROM commitments WHERE sku = $1 AND allocation_ref = ''", sku
    )


async def published_quantity(harness, integration_id, sku):
    return await fetchval(
        harness,
        "SELECT quantity FROM published_availability WHERE integration_id = $1 AND sku = $2",
        integration_id,
        sku,
    )


async def test_reservation_commit_route_cancel(inventory):
    await publish_integration(inventory, "mirakl-1", "mirakl")
    await publish_integration(inventory, "3pl-1", "http_3pl", url="http://127.0.0.1:8203")
    await publish_product(inventory, "TSHIRT-RED-M")
    paris = await create_location(inventory, "Paris 3PL", fulfillment_integration_id="3pl-1")
    await set_stock(inventory, paris, "TSHIRT-RED-M", 10, key="count-1")
    await settle(inventory)
    assert await published_quantity(inventory, "mirakl-1", "TSHIRT-RED-M") == 10

    received = inventory.event(
        type="order.received",
        payload=order_payload("5001-A", [line("5001-1", "TSHIRT-RED-M", 2)]),
        key="mirakl-1:5001-A",
    )
    await inventory.publish(received)
    await wait_for_row(
        inventory, "SELECT true FROM commitments WHERE line_id = '5001-1'", message="order.received not applied"
    )
    await settle(inventory)

    assert await unallocated(inventory, "TSHIRT-RED-M") == 2
    assert await level(inventory, "TSHIRT-RED-M", paris) == {"on_hand": 10, "committed": 0}
    assert await published_quantity(inventory, "mirakl-1", "TSHIRT-RED-M") == 8

    routed = inventory.event(
        type="order.status_changed",
        payload={
            "integration_id": "mirakl-1",
            "channel": "mirakl",
            "external_id": "5001-A",
            "status": "routed",
            "previous_status": "pending",
            "allocations": [
                {
                    "location_id": paris,
                    "fulfillment_integration_id": "3pl-1",
                    "shipping_request_id": "sr-5001-A-1",
                    "lines": [{"5001-1": 2}],
                }
            ],
        },
        key="mirakl-1:5001-A",
    )
    await inventory.publish(routed)
    await wait_for_row(
        inventory,
        "SELECT committed = 2 FROM stock_levels WHERE location_id = $1",
        paris,
        message="routing not applied",
    )
    events_before = await outbox_count(inventory, "availability.changed")
    await settle(inventory)

    assert await unallocated(inventory, "TSHIRT-RED-M") == 0
    assert await level(inventory, "TSHIRT-RED-M", paris) == {"on_hand": 10, "committed": 2}
    # Moving the commitment leaves availability at 8, so nothing new is published.
    assert await outbox_count(inventory, "availability.changed") == events_before

    cancelled = inventory.event(
        type="order.updated",
        payload=order_payload("5001-A", [line("5001-1", "TSHIRT-RED-M", 2)], status="cancelled", status_reason=None),
        key="mirakl-1:5001-A",
    )
    await inventory.publish(cancelled)
    await wait_for_row(
        inventory,
        "SELECT committed = 0 FROM stock_levels WHERE location_id = $1",
        paris,
        message="cancellation not applied",
    )
    await settle(inventory)

    assert await level(inventory, "TSHIRT-RED-M", paris) == {"on_hand": 10, "committed": 0}
    assert await unallocated(inventory, "TSHIRT-RED-M") == 0
    assert await published_quantity(inventory, "mirakl-1", "TSHIRT-RED-M") == 10
    changed = await inventory.wait_for_event(
        "availability.changed", lambda event: event.payload.quantity == 10 and event.causation_id is None
    )
    assert changed.payload.channel_sku == "TSHIRT-RED-M"

    history = await inventory.client.get("/v1/stock/history", params={"sku": "TSHIRT-RED-M"}, headers=inventory.auth())
    causes = [row["cause"] for row in history.json()]
    assert causes.count("order") >= 4
    assert causes[-1] == "adjustment"


async def test_reservation_ship_decrements_on_hand_once(inventory):
    await publish_product(inventory, "MUG-1")
    location_id = await create_location(inventory, "Lyon")
    await set_stock(inventory, location_id, "MUG-1", 5, key="count-1")
    await inventory.publish(
        inventory.event(
            type="order.received",
            payload=order_payload("T-1", [line("T-1-1", "MUG-1", 3)], integration_id="tiktok-1", status_reason=None),
            key="tiktok-1:T-1",
        )
    )
    await inventory.publish(
        inventory.event(
            type="order.status_changed",
            payload={
                "integration_id": "tiktok-1",
                "channel": "tiktok",
                "external_id": "T-1",
                "status": "routed",
                "allocations": [
                    {
                        "location_id": location_id,
                        "fulfillment_integration_id": "3pl-1",
                        "shipping_request_id": "sr-T-1",
                        "lines": [{"T-1-1": 3}],
                    }
                ],
            },
            key="tiktok-1:T-1",
        )
    )
    await wait_for_row(
        inventory, "SELECT committed = 3 FROM stock_levels WHERE sku = 'MUG-1'", message="routing not applied"
    )

    shipment = {
        "fulfillment_id": "ful-1",
        "integration_id": "tiktok-1",
        "channel": "tiktok",
        "external_order_id": "T-1",
        "location_id": location_id,
        "shipping_request_id": "sr-T-1",
        "lines": [{"line_id": "T-1-1", "quantity": 3}],
        "carrier": "DHL",
        "tracking_number": "JD000",
        "shipped_at": "2026-11-30T12:00:00Z",
        "order_fully_shipped": True,
    }
    for _ in range(2):  # The second copy has a new event id but the same fulfillment id.
        await inventory.publish(inventory.event(type="fulfillment.created", payload=shipment, key="tiktok-1:T-1"))
    await wait_for_row(
        inventory,
        "SELECT true FROM applied_fulfillments WHERE fulfillment_id = 'ful-1'",
        message="shipment not applied",
    )
    await inventory.wait_for_event("stock.changed", lambda event: event.payload.cause.startswith("fulfillment ful-1"))

    assert await level(inventory, "MUG-1", location_id) == {"on_hand": 2, "committed": 0}
    assert await unallocated(inventory, "MUG-1") == 0
    fulfillment_moves = await fetchval(inventory, "SELECT count(*) FROM movements WHERE cause = 'fulfillment'")
    assert fulfillment_moves == 1


async def test_reservation_duplicate_order_received_commits_once(inventory):
    payload = order_payload(
        "5770000000000000001", [line("SKU-A", "MUG-1", 2)], integration_id="tiktok-1", status_reason=None
    )
    first = inventory.event(type="order.received", payload=payload, key="tiktok-1:5770000000000000001")
    second = inventory.event(type="order.received", payload=payload, key="tiktok-1:5770000000000000001")

    await inventory.publish(first)
    await inventory.publish(second)
    await wait_for_row(
        inventory,
        "SELECT count(*) = 2 FROM processed_events WHERE event_id = ANY($1::uuid[])",
        [first.event_id, second.event_id],
        message="both copies not consumed",
    )

    assert await unallocated(inventory, "MUG-1") == 2
    commits = await fetchval(inventory, "SELECT count(*) FROM movements WHERE cause = 'order' AND sku = 'MUG-1'")
    assert commits == 1


async def test_reservation_unresolved_line_commits_once_resolved(inventory):
    unresolved = order_payload("5002-A", [line("5002-1", None, 4), line("5002-2", "MUG-1", 1)])
    await inventory.publish(inventory.event(type="order.received", payload=unresolved, key="mirakl-1:5002-A"))
    await wait_for_row(
        inventory, "SELECT true FROM commitments WHERE line_id = '5002-2'", message="order.received not applied"
    )
    assert await unallocated(inventory, "MUG-9") == 0

    resolved = order_payload("5002-A", [line("5002-1", "MUG-9", 4), line("5002-2", "MUG-1", 1)])
    await inventory.publish(inventory.event(type="order.updated", payload=resolved, key="mirakl-1:5002-A"))
    await wait_for_row(
        inventory, "SELECT true FROM commitments WHERE line_id = '5002-1'", message="order.updated not applied"
    )

    assert await unallocated(inventory, "MUG-9") == 4
    assert await unallocated(inventory, "MUG-1") == 1


async def test_reservation_channel_fulfilled_order_commits_nothing(inventory):
    payload = order_payload(
        "FBT-1",
        [line("FBT-1-1", "MUG-1", 2)],
        integration_id="tiktok-1",
        status="fulfilled",
        status_reason=None,
        fulfillment_type="channel",
    )
    marker = order_payload("T-2", [line("T-2-1", "MUG-2", 1)], integration_id="tiktok-1", status_reason=None)
    await inventory.publish(inventory.event(type="order.received", payload=payload, key="tiktok-1:FBT-1"))
    await inventory.publish(inventory.event(type="order.received", payload=marker, key="tiktok-1:FBT-1"))
    await wait_for_row(inventory, "SELECT true FROM commitments WHERE line_id = 'T-2-1'", message="orders not applied")

    assert await unallocated(inventory, "MUG-1") == 0


async def test_reservation_cancellation_is_terminal(inventory):
    cancelled = order_payload("O-7", [line("O-7-1", "MUG-1", 1)], status="cancelled", status_reason=None)
    late_ready = order_payload("O-7", [line("O-7-1", "MUG-1", 1)], status="pending", status_reason=None)
    await inventory.publish(inventory.event(type="order.updated", payload=cancelled, key="mirakl-1:O-7"))
    await inventory.publish(inventory.event(type="order.updated", payload=late_ready, key="mirakl-1:O-7"))
    await wait_for_row(
        inventory,
        "SELECT count(*) = 2 FROM processed_events WHERE topic LIKE '%orders%'",
        message="order updates not consumed",
    )

    assert await unallocated(inventory, "MUG-1") == 0
    assert await fetchval(inventory, "SELECT status FROM orders WHERE external_id = 'O-7'") == "cancelled"
    assert availability_events(inventory, "mirakl-1", "MUG-1") == []


async def test_reservation_ship_from_other_location(inventory):
    routed_to = await create_location(inventory, "Paris")
    shipped_from = await create_location(inventory, "Lyon")
    await set_stock(inventory, routed_to, "MUG-1", 5, key="count-paris")
    await set_stock(inventory, shipped_from, "MUG-1", 5, key="count-lyon")
    await inventory.publish(
        inventory.event(
            type="order.received",
            payload=order_payload("5003-A", [line("5003-1", "MUG-1", 2)], status_reason=None),
            key="mirakl-1:5003-A",
        )
    )
    await inventory.publish(
        inventory.event(
            type="order.status_changed",
            payload={
                "integration_id": "mirakl-1",
                "channel": "mirakl",
                "external_id": "5003-A",
                "status": "routed",
                "allocations": [
                    {
                        "location_id": routed_to,
                        "fulfillment_integration_id": "3pl-1",
                        "shipping_request_id": "sr-5003-A",
                        "lines": [{"5003-1": 2}],
                    }
                ],
            },
            key="mirakl-1:5003-A",
        )
    )
    await wait_for_row(
        inventory, "SELECT committed = 2 FROM stock_levels WHERE location_id = $1", routed_to, message="not routed"
    )

    shipment = {
        "fulfillment_id": "ful-2",
        "integration_id": "mirakl-1",
        "channel": "mirakl",
        "external_order_id": "5003-A",
        "location_id": shipped_from,
        "lines": [{"line_id": "5003-1", "quantity": 2}],
        "carrier": "Colissimo",
        "shipped_at": "2026-11-30T12:00:00Z",
    }
    await inventory.publish(inventory.event(type="fulfillment.created", payload=shipment, key="mirakl-1:5003-A"))
    await wait_for_row(
        inventory,
        "SELECT true FROM applied_fulfillments WHERE fulfillment_id = 'ful-2'",
        message="shipment not applied",
    )

    assert await level(inventory, "MUG-1", routed_to) == {"on_hand": 5, "committed": 0}
    assert await level(inventory, "MUG-1", shipped_from) == {"on_hand": 3, "committed": 0}
    assert await unallocated(inventory, "MUG-1") == 0


async def test_reservation_shipment_before_routing_event(inventory):
    location_id = await create_location(inventory, "Paris")
    await set_stock(inventory, location_id, "MUG-1", 5, key="count-paris")
    await inventory.publish(
        inventory.event(
            type="order.received",
            payload=order_payload("5004-A", [line("5004-1", "MUG-1", 2)], status_reason=None),
            key="mirakl-1:5004-A",
        )
    )
    await wait_for_row(inventory, "SELECT true FROM commitments WHERE line_id = '5004-1'", message="order not applied")
    shipment = {
        "fulfillment_id": "ful-3",
        "integration_id": "mirakl-1",
        "channel": "mirakl",
        "external_order_id": "5004-A",
        "location_id": location_id,
        "shipping_request_id": "sr-5004-A",
        "lines": [{"line_id": "5004-1", "quantity": 2}],
        "carrier": "Colissimo",
        "shipped_at": "2026-11-30T12:00:00Z",
    }
    await inventory.publish(inventory.event(type="fulfillment.created", payload=shipment, key="mirakl-1:5004-A"))
    await wait_for_row(
        inventory,
        "SELECT true FROM applied_fulfillments WHERE fulfillment_id = 'ful-3'",
        message="shipment not applied",
    )

    routed = {
        "integration_id": "mirakl-1",
        "channel": "mirakl",
        "external_id": "5004-A",
        "status": "routed",
        "allocations": [
            {
                "location_id": location_id,
                "fulfillment_integration_id": "3pl-1",
                "shipping_request_id": "sr-5004-A",
                "lines": [{"5004-1": 2}],
            }
        ],
    }
    late = await inventory.publish(inventory.event(type="order.status_changed", payload=routed, key="mirakl-1:5004-A"))
    await wait_for_row(
        inventory,
        "SELECT true FROM processed_events WHERE event_id = $1",
        late.event_id,
        message="routing not consumed",
    )

    assert await level(inventory, "MUG-1", location_id) == {"on_hand": 3, "committed": 0}
    assert await unallocated(inventory, "MUG-1") == 0


async def test_reservation_line_dropped_by_update_is_released(inventory):
    both = order_payload("5003-A", [line("5003-1", "MUG-1", 2), line("5003-2", "MUG-2", 1)])
    await inventory.publish(inventory.event(type="order.received", payload=both, key="mirakl-1:5003-A"))
    await wait_for_row(
        inventory, "SELECT true FROM commitments WHERE line_id = '5003-2'", message="order.received not applied"
    )

    edited = order_payload("5003-A", [line("5003-1", "MUG-1", 2)])
    update = inventory.event(type="order.updated", payload=edited, key="mirakl-1:5003-A")
    await inventory.publish(update)
    await wait_for_row(
        inventory,
        "SELECT true FROM processed_events WHERE event_id = $1",
        update.event_id,
        message="order.updated not applied",
    )

    assert await unallocated(inventory, "MUG-2") == 0
    assert await unallocated(inventory, "MUG-1") == 2
