"""Routing of channel orders: release rules, stalls and their automatic recovery, rules and splits."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from .conftest import MIRAKL, TIKTOK, Stack, address, line, mirakl_order, tiktok_order

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_routing_stalls_until_location_linked(stack: Stack):
    integration_id = await stack.create_3pl()
    await stack.channel_integration(TIKTOK, "tiktok", holdMinutes=0)
    await stack.product("MUG-BLUE-350")
    await stack.location("loc-paris", linked_to=None)
    await stack.order("order.received", tiktok_order("5770000000000000101", [line("MUG-BLUE-350", "MUG-BLUE-350", 2)]))

    stalled = await stack.wait_for_status(TIKTOK, "5770000000000000101", "stalled")
    assert stalled["status_reason"] == "location_not_linked"
    listed = await stack.api.get("/v1/stalled-orders", headers=stack.headers)
    assert [order["order_id"] for order in listed.json()] == [stalled["order_id"]]

    await stack.location("loc-paris", linked_to=integration_id)

    routed = await stack.harness.wait_for_event(
        "order.status_changed",
        lambda e: e.payload.external_id == "5770000000000000101" and e.payload.status == "routed",
    )
    assert routed.payload.allocations[0].location_id == "loc-paris"
    assert routed.payload.allocations[0].fulfillment_integration_id == integration_id
    assert routed.payload.allocations[0].lines == [{"MUG-BLUE-350": 2}]
    await stack.wait_for_status(TIKTOK, "5770000000000000101", "sent_to_fulfillment")
    seen = (await stack.api.get("/v1/routing-locations", headers=stack.headers)).json()
    assert [(row["location_id"], row["fulfillment_integration_id"]) for row in seen] == [("loc-paris", integration_id)]

    decisions = (
        await stack.api.get(f"/v1/orders/{stalled['order_id']}/routing-decisions", headers=stack.headers)
    ).json()
    # The location and the order arrive on different topics, so routing may first stall the order
    # with no location at all. The decision that saw the unlinked location is the one to check.
    stalled_decisions = [decision for decision in decisions if decision["outcome"] == "stalled"]
    assert stalled_decisions
    seen_location = [decision for decision in stalled_decisions if decision["candidates"]]
    assert seen_location[0]["candidates"][0]["reason"] == "location is not linked to a 3PL or warehouse integration"
    assert decisions[-1]["outcome"] == "routed"
    assert decisions[-1]["candidates"][0]["taken"] is True

    request_id = routed.payload.allocations[0].shipping_request_id
    at_3pl = (await stack.sandbox.get(f"/_sandbox/accounts/wh-1/shipping-requests/{request_id}")).json()
    assert at_3pl["request"]["order_ref"] == {"channel": "tiktok_shop", "external_order_id": "5770000000000000101"}
    assert at_3pl["request"]["lines"] == [{"line_id": "MUG-BLUE-350", "sku": "MUG-BLUE-350", "quantity": 2}]
    assert at_3pl["request"]["ship_to"]["country"] == "US"


async def test_fbt_order_bypasses_routing(stack: Stack):
    integration_id = await stack.create_3pl()
    await stack.location("loc-paris", linked_to=integration_id)
    await stack.product("MUG-BLUE-350")
    order = tiktok_order(
        "5770000000000000102",
        [line("MUG-BLUE-350", "MUG-BLUE-350", 1)],
        status="fulfilled",
        channel_status="COMPLETED",
        fulfillment_type="channel",
    )
    await stack.order("order.received", order)

    event = await stack.harness.wait_for_event(
        "order.status_changed", lambda e: e.payload.external_id == "5770000000000000102"
    )
    summary = await stack.find_order(TIKTOK, "5770000000000000102")
    detail = (await stack.api.get(f"/v1/orders/{summary['order_id']}", headers=stack.headers)).json()
    decisions = (
        await stack.api.get(f"/v1/orders/{summary['order_id']}/routing-decisions", headers=stack.headers)
    ).json()

    assert event.payload.status == "fulfilled"
    assert event.payload.fulfillment_type == "channel"
    assert detail["status"] == "fulfilled"
    assert detail["shipping_requests"] == []
    assert decisions == []
    counts = (await stack.api.get("/v1/order-counts", headers=stack.headers)).json()
    assert counts == [
        {
            "channel": "tiktok",
            "integration_id": TIKTOK,
            "fulfillment_type": "channel",
            "status": "fulfilled",
            "orders": 1,
        }
    ]


async def test_mirakl_waiting_acceptance_not_routed_until_accepted(stack: Stack):
    integration_id = await stack.create_3pl()
    await stack.channel_integration(MIRAKL, "mirakl", ordersAutoAccept=False)
    await stack.location("loc-lyon", linked_to=integration_id)
    await stack.product("TSHIRT-RED-M")
    lines = [line("5001-1", "TSHIRT-RED-M", 2)]
    waiting = mirakl_order(
        "5001-A",
        lines,
        channel_status="WAITING_ACCEPTANCE",
        status_reason="awaiting_acceptance",
        updated_at=datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
    )
    await stack.order("order.received", waiting)

    pending = await stack.wait_for_status(MIRAKL, "5001-A", "pending")
    awaiting = (await stack.api.get("/v1/awaiting-acceptance", headers=stack.headers)).json()
    assert pending["status_reason"] == "awaiting_acceptance"
    assert [order["order_id"] for order in awaiting] == [pending["order_id"]]
    assert awaiting[0]["acceptance_deadline"].startswith("2026-12-01T09:15:00")
    assert awaiting[0]["unresolved_lines"] == []

    accepted = await stack.api.post(f"/v1/orders/{pending['order_id']}/accept", headers=stack.headers)
    assert accepted.status_code == 202, accepted.text
    command = await stack.harness.wait_for_event("command.order.accept", lambda e: e.payload.external_id == "5001-A")
    assert command.payload.integration_id == MIRAKL
    await asyncio.sleep(0.5)
    assert stack.status_events("5001-A", "routed") == []

    shipping = mirakl_order(
        "5001-A",
        lines,
        channel_status="SHIPPING",
        status_reason=None,
        updated_at=datetime(2026, 11, 30, 11, 0, tzinfo=UTC),
        ship_to=address("FR"),
    )
    await stack.order("order.updated", shipping)
    await stack.wait_for_status(MIRAKL, "5001-A", "sent_to_fulfillment")
    assert len(stack.status_events("5001-A", "routed")) == 1


async def test_rule_splits_across_two_locations(stack: Stack):
    integration_id = await stack.create_3pl()
    await stack.channel_integration(TIKTOK, "tiktok", holdMinutes=0)
    await stack.product("MUG-BLUE-350")
    await stack.location("loc-a", linked_to=integration_id)
    await stack.location("loc-b", linked_to=integration_id)
    await stack.stock("MUG-BLUE-350", "loc-a", 2)
    await stack.stock("MUG-BLUE-350", "loc-b", 3)
    rule = {
        "name": "US from A then B",
        "filters": {"countries": ["United States"]},
        "location_ids": ["loc-a", "loc-b"],
        "checkInventory": True,
        "allowSplit": True,
    }
    created = await stack.api.post("/v1/routing-rules", json=rule, headers=stack.headers)
    assert created.status_code == 201, created.text
    assert created.json()["filters"]["countries"] == ["US"]
    # Stock events are applied before the order, because they share no key: wait for the projection.
    await asyncio.sleep(1.0)

    await stack.order("order.received", tiktok_order("5770000000000000103", [line("MUG-BLUE-350", "MUG-BLUE-350", 4)]))

    routed = await stack.harness.wait_for_event(
        "order.status_changed",
        lambda e: e.payload.external_id == "5770000000000000103" and e.payload.status == "routed",
    )
    split = {allocation.location_id: allocation.lines for allocation in routed.payload.allocations}
    assert split == {"loc-a": [{"MUG-BLUE-350": 2}], "loc-b": [{"MUG-BLUE-350": 2}]}
    await stack.wait_for_status(TIKTOK, "5770000000000000103", "sent_to_fulfillment")
    at_3pl = (await stack.sandbox.get("/_sandbox/accounts/wh-1/shipping-requests")).json()
    assert len(at_3pl) == 2
    summary = await stack.find_order(TIKTOK, "5770000000000000103")
    decisions = (
        await stack.api.get(f"/v1/orders/{summary['order_id']}/routing-decisions", headers=stack.headers)
    ).json()
    assert decisions[-1]["rule_name"] == "US from A then B"


async def test_unknown_sku_stalls_then_routes_after_product(stack: Stack):
    integration_id = await stack.create_3pl()
    await stack.channel_integration(TIKTOK, "tiktok", holdMinutes=0)
    await stack.location("loc-paris", linked_to=integration_id)
    await stack.product("TSHIRT-RED-M")
    lines = [line("TSHIRT-RED-M", "TSHIRT-RED-M", 1), line("MUG-XL-9", "MUG-XL-9", 2, resolved=False)]
    await stack.order("order.received", tiktok_order("5770000000000000104", lines))

    stalled = await stack.wait_for_status(TIKTOK, "5770000000000000104", "stalled")
    assert stalled["status_reason"] == "unknown_sku"
    assert "'MUG-XL-9'" in stalled["status_detail"]
    assert stack.status_events("5770000000000000104", "routed") == []

    await stack.product("MUG-XL-9")

    resolved = await stack.harness.wait_for_event(
        "order.lines_resolved", lambda e: e.payload.external_id == "5770000000000000104"
    )
    assert [(item.line_id, item.master_sku) for item in resolved.payload.lines] == [("MUG-XL-9", "MUG-XL-9")]
    routed = await stack.harness.wait_for_event(
        "order.status_changed",
        lambda e: e.payload.external_id == "5770000000000000104" and e.payload.status == "routed",
    )
    assert routed.payload.allocations[0].lines == [{"TSHIRT-RED-M": 1}, {"MUG-XL-9": 2}]


async def test_duplicate_order_events_make_one_order(stack: Stack):
    integration_id = await stack.create_3pl()
    await stack.channel_integration(TIKTOK, "tiktok", holdMinutes=0)
    await stack.location("loc-paris", linked_to=integration_id)
    await stack.product("TSHIRT-RED-M")
    order = tiktok_order("5770000000000000001", [line("TSHIRT-RED-M", "TSHIRT-RED-M", 1)])

    await asyncio.gather(stack.order("order.received", order), stack.order("order.received", order))

    await stack.wait_for_status(TIKTOK, "5770000000000000001", "sent_to_fulfillment")
    await asyncio.sleep(0.5)
    orders = (await stack.api.get("/v1/orders", headers=stack.headers)).json()
    at_3pl = (await stack.sandbox.get("/_sandbox/accounts/wh-1/shipping-requests")).json()
    assert len(orders) == 1
    assert len(stack.status_events("5770000000000000001", "routed")) == 1
    assert len(at_3pl) == 1


async def test_late_ready_update_never_reopens_cancelled_order(stack: Stack):
    integration_id = await stack.create_3pl()
    await stack.channel_integration(TIKTOK, "tiktok", holdMinutes=0)
    await stack.location("loc-paris", linked_to=integration_id)
    await stack.product("TSHIRT-RED-M")
    lines = [line("TSHIRT-RED-M", "TSHIRT-RED-M", 1)]
    cancelled = tiktok_order(
        "O-7",
        lines,
        status="cancelled",
        channel_status="CANCELLED",
        updated_at=datetime(2026, 11, 30, 10, 1, tzinfo=UTC),
    )
    ready = tiktok_order("O-7", lines, updated_at=datetime(2026, 11, 30, 10, 0, tzinfo=UTC))

    await stack.order("order.received", cancelled)
    await stack.wait_for_status(TIKTOK, "O-7", "cancelled")
    await stack.order("order.updated", ready)

    summary = await stack.find_order(TIKTOK, "O-7")

    async def ignored() -> bool:
        history = (await stack.api.get(f"/v1/orders/{summary['order_id']}/history", headers=stack.headers)).json()
        return any(entry["kind"] == "ignored" for entry in history)

    await stack.harness.wait_until(ignored, timeout=10, message="the late update was never recorded as ignored")
    assert (await stack.find_order(TIKTOK, "O-7"))["status"] == "cancelled"
    assert stack.status_events("O-7", "routed") == []
    assert (await stack.sandbox.get("/_sandbox/accounts/wh-1/shipping-requests")).json() == []


async def test_platform_label_order_waits_for_label(stack: Stack):
    integration_id = await stack.create_3pl()
    await stack.channel_integration(TIKTOK, "tiktok", holdMinutes=0)
    await stack.location("loc-paris", linked_to=integration_id)
    await stack.product("MUG-BLUE-350")
    lines = [line("MUG-BLUE-350", "MUG-BLUE-350", 1)]
    await stack.order("order.received", tiktok_order("5770000000000000108", lines, shipping_type="TIKTOK"))

    stalled = await stack.wait_for_status(TIKTOK, "5770000000000000108", "stalled")
    assert stalled["status_reason"] == "awaiting_label"

    label_url = "https://labels.example.com/5770000000000000108.pdf"
    with_label = tiktok_order(
        "5770000000000000108",
        lines,
        shipping_type="TIKTOK",
        shipping_document_ref=label_url,
        updated_at=datetime(2026, 11, 30, 9, 30, tzinfo=UTC),
    )
    await stack.order("order.updated", with_label)
    await stack.wait_for_status(TIKTOK, "5770000000000000108", "sent_to_fulfillment")

    at_3pl = (await stack.sandbox.get("/_sandbox/accounts/wh-1/shipping-requests")).json()
    assert at_3pl[0]["request"]["label"]["document_url"] == label_url


async def test_dispatch_retries_after_3pl_error(stack: Stack):
    integration_id = await stack.create_3pl()
    fault = await stack.sandbox.put("/_sandbox/accounts/wh-1/faults", json={"mode": "error", "count": 3})
    assert fault.status_code == 200, fault.text
    await stack.channel_integration(TIKTOK, "tiktok", holdMinutes=0)
    await stack.location("loc-paris", linked_to=integration_id)
    await stack.product("MUG-BLUE-350")

    await stack.order("order.received", tiktok_order("5770000000000000109", [line("MUG-BLUE-350", "MUG-BLUE-350", 1)]))

    summary = await stack.wait_for_status(TIKTOK, "5770000000000000109", "sent_to_fulfillment")
    detail = (await stack.api.get(f"/v1/orders/{summary['order_id']}", headers=stack.headers)).json()
    log = (await stack.sandbox.get("/_sandbox/log", params={"account_id": "wh-1"})).json()
    assert detail["shipping_requests"][0]["attempts"] >= 2
    assert detail["shipping_requests"][0]["status"] == "acknowledged"
    creates = [entry for entry in log if entry["method"] == "POST" and entry["url"].endswith("/shipping-requests")]
    assert [entry["status_code"] for entry in creates] == [500, 500, 500, 202]
    assert len({entry["signature"] for entry in creates}) == 1


async def test_routing_rule_rejects_unknown_country(stack: Stack):
    rule = {"name": "bad", "filters": {"countries": ["Frnace"]}, "location_ids": ["loc-a"]}

    response = await stack.api.post("/v1/routing-rules", json=rule, headers=stack.headers)

    assert response.status_code == 422
    assert "'Frnace'" in response.json()["detail"]


async def test_hold_window_order_routes_when_window_ends(stack: Stack):
    integration_id = await stack.create_3pl()
    await stack.channel_integration(TIKTOK, "tiktok", holdMinutes=1)
    await stack.location("loc-paris", linked_to=integration_id)
    await stack.product("MUG-BLUE-350")
    # Created 58 s ago, so the 1-minute hold window ends about 2 s into the test.
    created = datetime.now(UTC) - timedelta(seconds=58)
    order = tiktok_order(
        "5770000000000000110", [line("MUG-BLUE-350", "MUG-BLUE-350", 1)], created_at=created, updated_at=created
    )

    await stack.order("order.received", order)

    pending = await stack.wait_for_status(TIKTOK, "5770000000000000110", "pending")
    assert pending["status_reason"] == "hold_window"
    await stack.wait_for_status(TIKTOK, "5770000000000000110", "sent_to_fulfillment", timeout=15)
