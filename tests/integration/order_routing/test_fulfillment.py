"""3PL shipments, cancellations and channel commands of routed orders."""

import asyncio
import json
from datetime import UTC, datetime

import pytest
from crossdock_common.auth.signatures import SIGNATURE_HEADER, sign_body

from .conftest import MIRAKL, SECRET, TIKTOK, Stack, line, mirakl_order, tiktok_order

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def route_order(
    stack: Stack, external_id: str, lines: list[dict], *, plan: dict | None = None
) -> tuple[str, str, str]:
    """Route a TikTok order to a fresh 3PL; return (integration id, order id, shipping request id)."""
    integration_id = await stack.create_3pl(plan=plan)
    await stack.channel_integration(TIKTOK, "tiktok", holdMinutes=0)
    await stack.location("loc-paris", linked_to=integration_id)
    for item in lines:
        await stack.product(item["master_sku"])
    await stack.order("order.received", tiktok_order(external_id, lines))
    summary = await stack.wait_for_status(TIKTOK, external_id, "sent_to_fulfillment")
    routed = stack.status_events(external_id, "routed")[0]
    return integration_id, summary["order_id"], routed.payload.allocations[0].shipping_request_id


async def post_shipment(stack: Stack, integration_id: str, body: dict, *, secret: str = SECRET):
    raw = json.dumps(body, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign_body(raw, secret)}
    return await stack.api.post(f"/v1/3pl/{integration_id}/shipments", content=raw, headers=headers)


def shipment(request_id: str, shipment_id: str, quantity: int, line_id: str = "L1") -> dict:
    return {
        "request_id": request_id,
        "shipment_id": shipment_id,
        "lines": [{"line_id": line_id, "quantity": quantity}],
        "carrier": "sandbox-parcel",
        "tracking_number": f"TRK-{shipment_id}",
        "tracking_url": None,
        "shipped_at": "2026-11-30T14:30:00Z",
    }


async def test_shipments_partial_then_full_from_sandbox(stack: Stack):
    plan = {"auto_ship": True, "ship_delay_seconds": 0.05, "packages": 2, "package_interval_seconds": 0.8}
    _, order_id, request_id = await route_order(
        stack, "5770000000000000201", [line("L1", "MUG-BLUE-350", 3)], plan=plan
    )

    partial = await stack.wait_for_status(TIKTOK, "5770000000000000201", "partially_fulfilled")
    full = await stack.wait_for_status(TIKTOK, "5770000000000000201", "fulfilled")

    def fulfillments_seen() -> list:
        return stack.harness.events(
            "fulfillment.created", lambda e: e.payload.external_order_id == "5770000000000000201"
        )

    async def both_seen() -> bool:
        return len(fulfillments_seen()) >= 2

    await stack.harness.wait_until(both_seen, timeout=10, message="fewer than 2 fulfillment.created events")
    fulfillments = fulfillments_seen()
    detail = (await stack.api.get(f"/v1/orders/{order_id}", headers=stack.headers)).json()
    assert partial["status_detail"] == "2 of 3 units shipped"
    assert full["status_detail"] == "3 of 3 units shipped"
    assert [[(item.line_id, item.quantity) for item in event.payload.lines] for event in fulfillments] == [
        [("L1", 2)],
        [("L1", 1)],
    ]
    assert [event.payload.order_fully_shipped for event in fulfillments] == [False, True]
    assert len({event.payload.tracking_number for event in fulfillments}) == 2
    assert all(event.payload.shipping_request_id == request_id for event in fulfillments)
    assert detail["lines"][0]["shipped_quantity"] == 3


async def test_shipment_posted_twice_applied_once(stack: Stack):
    integration_id, order_id, request_id = await route_order(
        stack, "5770000000000000202", [line("L1", "MUG-BLUE-350", 3)]
    )
    body = shipment(request_id, "shp-1", 2)

    first = await post_shipment(stack, integration_id, body)
    second = await post_shipment(stack, integration_id, body)

    assert first.status_code == 200, first.text
    assert second.status_code == 200, second.text
    assert first.json()["result"] == "recorded"
    assert second.json()["result"] == "duplicate"
    assert second.json()["fulfillment_id"] == first.json()["fulfillment_id"]
    detail = (await stack.api.get(f"/v1/orders/{order_id}", headers=stack.headers)).json()
    assert detail["lines"][0]["shipped_quantity"] == 2
    assert detail["status"] == "partially_fulfilled"
    await stack.harness.wait_for_event(
        "fulfillment.created", lambda e: e.payload.external_order_id == "5770000000000000202"
    )
    await asyncio.sleep(0.5)
    assert (
        len(stack.harness.events("fulfillment.created", lambda e: e.payload.external_order_id == "5770000000000000202"))
        == 1
    )


async def test_shipment_over_shipping_rejected(stack: Stack):
    integration_id, order_id, request_id = await route_order(
        stack, "5770000000000000203", [line("L1", "MUG-BLUE-350", 3)]
    )
    assert (await post_shipment(stack, integration_id, shipment(request_id, "shp-1", 2))).status_code == 200

    over = await post_shipment(stack, integration_id, shipment(request_id, "shp-2", 2))

    problem = over.json()
    assert over.status_code == 422
    assert problem["type"] == "urn:crossdock:problem:quantity-exceeds-remaining"
    assert problem["detail"] == "line 'L1': 2 units reported, 1 left to ship"
    assert problem["errors"] == [
        {
            "pointer": "#/lines/0/quantity",
            "field": "lines[0].quantity",
            "line_id": "L1",
            "detail": "2 units reported, 1 left to ship",
        }
    ]
    detail = (await stack.api.get(f"/v1/orders/{order_id}", headers=stack.headers)).json()
    assert detail["lines"][0]["shipped_quantity"] == 2


async def test_shipment_rejects_bad_signature_and_unknown_request(stack: Stack):
    integration_id, _, request_id = await route_order(stack, "5770000000000000204", [line("L1", "MUG-BLUE-350", 1)])

    forged = await post_shipment(stack, integration_id, shipment(request_id, "shp-1", 1), secret="wrong-secret-000000")
    unknown = await post_shipment(stack, integration_id, shipment("no-such-request", "shp-2", 1))
    invalid = await post_shipment(
        stack, integration_id, {**shipment(request_id, "shp-3", 1), "shipped_at": "2026-11-30T14:30:00"}
    )

    assert forged.status_code == 401
    assert forged.json()["type"] == "urn:crossdock:problem:invalid-signature"
    assert unknown.status_code == 404
    assert unknown.json()["type"] == "urn:crossdock:problem:shipping-request-not-found"
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "shipped_at"


async def test_cancellation_after_routing_cancels_at_3pl_once(stack: Stack):
    lines = [line("L1", "MUG-BLUE-350", 1)]
    _, order_id, request_id = await route_order(stack, "5770000000000000205", lines)
    cancelled = tiktok_order(
        "5770000000000000205",
        lines,
        status="cancelled",
        channel_status="CANCELLED",
        updated_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
    )

    await stack.order("order.updated", cancelled)
    await stack.order("order.updated", cancelled)

    await stack.wait_for_status(TIKTOK, "5770000000000000205", "cancelled")

    async def cancelled_at_3pl() -> bool:
        view = (await stack.sandbox.get(f"/_sandbox/accounts/wh-1/shipping-requests/{request_id}")).json()
        return view["status"] == "cancelled"

    await stack.harness.wait_until(cancelled_at_3pl, timeout=10, message="the 3PL never received the cancellation")
    await asyncio.sleep(0.5)
    events = stack.status_events("5770000000000000205", "cancelled")
    detail = (await stack.api.get(f"/v1/orders/{order_id}", headers=stack.headers)).json()
    assert len(events) == 1
    assert events[0].payload.previous_status == "sent_to_fulfillment"
    assert detail["shipping_requests"][0]["cancel_status"] == "cancelled"
    assert detail["needs_attention"] is False


async def test_cancellation_after_shipping_flags_order(stack: Stack):
    lines = [line("L1", "MUG-BLUE-350", 1)]
    integration_id, order_id, request_id = await route_order(stack, "5770000000000000206", lines)
    shipped = await stack.sandbox.post(f"/_sandbox/accounts/wh-1/shipping-requests/{request_id}/ship", json={})
    assert shipped.status_code == 200, shipped.text
    await stack.wait_for_status(TIKTOK, "5770000000000000206", "fulfilled")

    cancelled = tiktok_order(
        "5770000000000000206",
        lines,
        status="cancelled",
        channel_status="CANCELLED",
        updated_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
    )
    await stack.order("order.updated", cancelled)

    async def flagged() -> bool:
        return (await stack.find_order(TIKTOK, "5770000000000000206"))["needs_attention"]

    await stack.harness.wait_until(flagged, timeout=10, message="the shipped order was never flagged")
    summary = await stack.find_order(TIKTOK, "5770000000000000206")
    assert summary["status"] == "fulfilled"
    assert "after the 3PL shipped every unit" in summary["attention_reason"]
    assert stack.status_events("5770000000000000206", "cancelled") == []


async def test_cancel_action_sends_channel_command(stack: Stack):
    _, order_id, _ = await route_order(stack, "5770000000000000207", [line("L1", "MUG-BLUE-350", 1)])

    response = await stack.api.post(
        f"/v1/orders/{order_id}/cancel", json={"reason": "3PL out of stock"}, headers=stack.headers
    )

    assert response.status_code == 202, response.text
    command = await stack.harness.wait_for_event(
        "command.order.cancel", lambda e: e.payload.external_id == "5770000000000000207"
    )
    assert command.payload.integration_id == TIKTOK
    assert command.payload.reason == "3PL out of stock"
    other_account = await stack.api.post(f"/v1/orders/{order_id}/cancel", headers=stack.harness.auth("globex"))
    assert other_account.status_code == 404


async def test_auto_accept_sent_once_lines_resolve(stack: Stack):
    await stack.channel_integration(MIRAKL, "mirakl", ordersAutoAccept=True)
    await stack.product("TSHIRT-RED-M")
    lines = [line("5002-1", "TSHIRT-RED-M", 1), line("5002-2", "MUG-XL-9", 2, resolved=False)]
    waiting = mirakl_order(
        "5002-A",
        lines,
        channel_status="WAITING_ACCEPTANCE",
        status_reason="awaiting_acceptance",
        updated_at=datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
    )
    await stack.order("order.received", waiting)
    pending = await stack.wait_for_status(MIRAKL, "5002-A", "pending")
    rejected_accept = await stack.api.post(f"/v1/orders/{pending['order_id']}/accept", headers=stack.headers)
    assert rejected_accept.status_code == 409
    assert "'MUG-XL-9'" in rejected_accept.json()["detail"]
    assert stack.harness.events("command.order.accept") == []

    await stack.product("MUG-XL-9")
    await stack.product("MUG-XL-9", title="renamed")

    command = await stack.harness.wait_for_event("command.order.accept", lambda e: e.payload.external_id == "5002-A")
    await asyncio.sleep(1.0)
    assert command.payload.requested_by == "order_routing auto-accept"
    assert len(stack.harness.events("command.order.accept")) == 1


async def test_3pl_integration_test_checks_secret(stack: Stack):
    integration_id = await stack.create_3pl()

    connected = await stack.api.post(f"/v1/integrations/http-3pl/{integration_id}/test", headers=stack.headers)
    changed = await stack.api.patch(
        f"/v1/integrations/http-3pl/{integration_id}", json={"secret": "a-different-secret-123"}, headers=stack.headers
    )
    rejected = await stack.api.post(f"/v1/integrations/http-3pl/{integration_id}/test", headers=stack.headers)

    assert connected.status_code == 200, connected.text
    assert connected.json()["status"] == "connected"
    assert changed.json()["status"] == "disconnected"
    assert rejected.json()["status"] == "error"
    assert "shared secret" in rejected.json()["last_error"]
    assert "secret" not in connected.json()
    event = await stack.harness.wait_for_event(
        "integration.upserted", lambda e: e.payload.integration_id == integration_id and e.payload.status == "connected"
    )
    assert event.payload.type == "http_3pl"
    assert event.payload.settings == {"url": f"{stack.sandbox_url}/accounts/wh-1"}
