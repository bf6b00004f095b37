"""Fulfillment push: OR23 then OR24 in SHIPPING, waits before it, shipments API with multi-shipment."""

import json

import pytest

from .conftest import connected_integration
from .helpers import fetch, fetchval, run, sandbox_orders

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

ALL_STATES = ["WAITING_ACCEPTANCE", "WAITING_DEBIT_PAYMENT", "SHIPPING", "SHIPPED", "CANCELED", "REFUSED"]


def fulfillment(harness, integration_id: str, order, fulfillment_id: str, lines, **extra):
    return harness.event(
        type="fulfillment.created",
        payload={
            "fulfillment_id": fulfillment_id,
            "integration_id": integration_id,
            "channel": "mirakl",
            "external_order_id": order,
            "lines": lines,
            "carrier": extra.pop("carrier", "ups"),
            "tracking_number": extra.pop("tracking_number", "1Z999"),
            "shipped_at": "2026-01-05T10:00:00Z",
            **extra,
        },
        key=f"{integration_id}:{order}",
        service="order_routing",
    )


async def stored(harness, count: int) -> None:
    async def enough() -> bool:
        return await fetchval(harness, "SELECT count(*) FROM fulfillments") >= count

    await harness.wait_until(enough, message=f"fewer than {count} fulfillments stored")


async def order_lines(harness, order_id: str) -> list[dict]:
    canonical = await fetchval(harness, "SELECT canonical FROM orders WHERE order_id = $1", order_id)
    return canonical["lines"]


async def test_fulfillment_ships_once_in_shipping(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, ordersStatuses=ALL_STATES)
        integration_id = view["integration_id"]
        await run(harness, integration_id, "orders")
        states = await sandbox_orders(sandbox)
        order_id = sorted(order for order, state in states.items() if state == "SHIPPING")[0]
        lines = [
            {"line_id": line["line_id"], "quantity": line["quantity"]} for line in await order_lines(harness, order_id)
        ]
        event = fulfillment(harness, integration_id, order_id, "ful-1", lines, order_fully_shipped=True)
        await harness.publish(event)
        await harness.publish(event)
        await stored(harness, 1)

        await run(harness, integration_id, "fulfillments")
        await run(harness, integration_id, "fulfillments")
        result = await harness.wait_for_event(
            "fulfillment.channel_result", lambda e: e.payload.fulfillment_id == "ful-1"
        )
        tracking = [entry for entry in await sandbox.requests("OR23") if order_id in entry["path"]]
        ships = [entry for entry in await sandbox.requests("OR24") if order_id in entry["path"]]
        state = (await sandbox_orders(sandbox))[order_id]

    assert result.payload.status == "confirmed"
    assert len(tracking) == 1
    assert json.loads(tracking[0]["body"]) == {"carrier_code": "UPS", "tracking_number": "1Z999"}
    assert len(ships) == 1
    assert ships[0]["status"] == 204
    assert state == "SHIPPED"


async def test_fulfillment_waits_until_shipping(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, ordersStatuses=ALL_STATES)
        integration_id = view["integration_id"]
        await run(harness, integration_id, "orders")
        states = await sandbox_orders(sandbox)
        order_id = sorted(order for order, state in states.items() if state == "WAITING_DEBIT_PAYMENT")[0]
        lines = [
            {"line_id": line["line_id"], "quantity": line["quantity"]} for line in await order_lines(harness, order_id)
        ]
        await harness.publish(
            fulfillment(
                harness,
                integration_id,
                order_id,
                "ful-wait",
                lines,
                carrier="Local Courier",
                tracking_url="https://courier.example/t/1",
            )
        )
        await stored(harness, 1)

        await run(harness, integration_id, "fulfillments")
        waiting = await harness.wait_for_event("fulfillment.channel_result", lambda e: e.payload.status == "waiting")
        ships_before = await sandbox.requests("OR24")
        await sandbox.admin.post(f"/_sandbox/orders/{order_id}/debit")
        await run(harness, integration_id, "orders")
        await harness.wait_until(lambda: _state_is(harness, order_id, "SHIPPING"))
        await harness.wait_until(lambda: _due(harness))
        await run(harness, integration_id, "fulfillments")
        confirmed = await harness.wait_for_event(
            "fulfillment.channel_result", lambda e: e.payload.status == "confirmed"
        )
        tracking = [entry for entry in await sandbox.requests("OR23") if order_id in entry["path"]]

    assert "WAITING_DEBIT_PAYMENT" in waiting.payload.message
    assert ships_before == []
    assert confirmed.payload.fulfillment_id == "ful-wait"
    assert json.loads(tracking[0]["body"]) == {
        "carrier_name": "Local Courier",
        "carrier_url": "https://courier.example/t/1",
        "tracking_number": "1Z999",
    }


async def _state_is(harness, order_id: str, state: str) -> bool:
    return await fetchval(harness, "SELECT state FROM orders WHERE order_id = $1", order_id) == state


async def _due(harness) -> bool:
    return bool(await fetchval(harness, "SELECT count(*) FROM fulfillments WHERE next_attempt_at <= now()"))


async def test_fulfillment_cancelled_or_shipped_order(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, ordersStatuses=ALL_STATES)
        integration_id = view["integration_id"]
        await run(harness, integration_id, "orders")
        states = await sandbox_orders(sandbox)
        cancelled = sorted(order for order, state in states.items() if state == "CANCELED")[0]
        shipped = sorted(order for order, state in states.items() if state == "SHIPPED")[0]
        for order_id, fulfillment_id in ((cancelled, "ful-cancelled"), (shipped, "ful-shipped")):
            line = (await order_lines(harness, order_id))[0]
            await harness.publish(
                fulfillment(
                    harness, integration_id, order_id, fulfillment_id, [{"line_id": line["line_id"], "quantity": 1}]
                )
            )
        await stored(harness, 2)
        await run(harness, integration_id, "fulfillments")
        failed = await harness.wait_for_event(
            "fulfillment.channel_result", lambda e: e.payload.fulfillment_id == "ful-cancelled"
        )
        done = await harness.wait_for_event(
            "fulfillment.channel_result", lambda e: e.payload.fulfillment_id == "ful-shipped"
        )
        calls = await sandbox.requests("OR24") + await sandbox.requests("OR23")

    assert failed.payload.status == "failed"
    assert "CANCELED" in failed.payload.message
    assert done.payload.status == "confirmed"
    assert calls == []


async def test_fulfillment_two_packages_use_shipments_api(make_connector, sandbox):
    await sandbox.admin.patch("/_sandbox/platform", json={"multi_shipment": True})
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, ordersStatuses=ALL_STATES)
        integration_id = view["integration_id"]
        await run(harness, integration_id, "orders")
        order_id = await _first_shipping(sandbox)
        line = (await order_lines(harness, order_id))[0]
        quantity = line["quantity"]
        await harness.publish(
            fulfillment(
                harness,
                integration_id,
                order_id,
                "pkg-1",
                [{"line_id": line["line_id"], "quantity": 1}],
                tracking_number="TRK111",
            )
        )
        await stored(harness, 1)
        await run(harness, integration_id, "fulfillments")
        await harness.publish(
            fulfillment(
                harness,
                integration_id,
                order_id,
                "pkg-2",
                [{"line_id": line["line_id"], "quantity": quantity + 5}],
                tracking_number="TRK222",
            )
        )
        await stored(harness, 2)
        await run(harness, integration_id, "fulfillments")
        second = await harness.wait_for_event(
            "fulfillment.channel_result", lambda e: e.payload.fulfillment_id == "pkg-2"
        )
        shipments = await sandbox.requests("ST01")
        rows = await fetch(harness, "SELECT fulfillment_id, payload FROM fulfillments ORDER BY fulfillment_id")

    assert len(shipments) == 2
    assert "TRK111" in shipments[0]["body"]
    assert "TRK222" not in shipments[0]["body"]
    assert "TRK222" in shipments[1]["body"]
    assert "TRK111" not in shipments[1]["body"]
    assert second.payload.status == "confirmed"
    assert f"{quantity + 5} reported, {quantity - 1} left to ship" in second.payload.message
    assert rows[1]["payload"]["sent_lines"] == [{"line_id": line["line_id"], "quantity": quantity - 1}]


async def _first_shipping(sandbox) -> str:
    return sorted(order for order, state in (await sandbox_orders(sandbox)).items() if state == "SHIPPING")[0]
