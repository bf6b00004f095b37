"""Shipments reported by 3PLs: quantity checks, fulfillment events and the order's fulfilment status."""

import logging
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from crossdock_common.service import ServiceRuntime

from crossdock_order_routing.domain.shipments import ShipmentLineProblem, check_shipment_lines, fulfillment_status
from crossdock_order_routing.service_layer.records import add_history, lock_order, new_id, order_key, set_status

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportedShipment:
    """A validated shipment body from a 3PL."""

    request_id: str
    shipment_id: str
    lines: list[tuple[str, int]]
    carrier: str
    tracking_number: str
    tracking_url: str | None
    shipped_at: datetime


class ShippingRequestNotFound(LookupError):
    """The shipment names a request this integration never received."""


class QuantityExceedsRemaining(ValueError):
    """A reported quantity is more than what is left to ship of its line."""

    def __init__(self, problems: list[ShipmentLineProblem]) -> None:
        super().__init__("; ".join(f"line {p.line_id!r}: {p.detail}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ShipmentOutcome:
    """Result of the intake: `recorded`, or `duplicate` for a repeat of a known `shipment_id`."""

    result: str
    fulfillment_id: str
    order_status: str


async def record_shipment(
    runtime: ServiceRuntime, connection: asyncpg.Connection, *, integration_id: str, shipment: ReportedShipment
) -> ShipmentOutcome:
    """Apply one shipment inside the caller's transaction; a repeated `shipment_id` changes nothing."""
    request = await connection.fetchrow(
        "SELECT * FROM shipping_requests WHERE request_id = $1 AND fulfillment_integration_id = $2",
        shipment.request_id,
        integration_id,
    )
    if request is None:
        raise ShippingRequestNotFound(shipment.request_id)
    # The order lock serializes concurrent posts of the same package.
    order = await lock_order(connection, request["order_id"])

    known = await connection.fetchval(
        "SELECT fulfillment_id FROM shipments WHERE integration_id = $1 AND shipment_id = $2",
        integration_id,
        shipment.shipment_id,
    )
    if known is not None:
        return ShipmentOutcome(result="duplicate", fulfillment_id=known, order_status=order["status"])

    request_lines = await connection.fetch(
        "SELECT * FROM shipping_request_lines WHERE request_id = $1 FOR UPDATE", shipment.request_id
    )
    remaining = {line["line_id"]: line["quantity"] - line["shipped_quantity"] for line in request_lines}
    problems = check_shipment_lines(shipment.lines, remaining)
    if problems:
        raise QuantityExceedsRemaining(problems)

    fulfillment_id = new_id("ful")
    await connection.execute(
        "INSERT INTO shipments (integration_id, shipment_id, fulfillment_id, request_id, order_id, lines, carrier, "
        "tracking_number, tracking_url, shipped_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        integration_id,
        shipment.shipment_id,
        fulfillment_id,
        shipment.request_id,
        order["order_id"],
        [{"line_id": line_id, "quantity": quantity} for line_id, quantity in shipment.lines],
        shipment.carrier,
        shipment.tracking_number,
        shipment.tracking_url,
        shipment.shipped_at,
    )
    for line_id, quantity in shipment.lines:
        await connection.execute(
            "UPDATE shipping_request_lines SET shipped_quantity = shipped_quantity + $3 "
            "WHERE request_id = $1 AND line_id = $2",
            shipment.request_id,
            line_id,
            quantity,
        )
        await connection.execute(
            "UPDATE order_lines SET shipped_quantity = shipped_quantity + $3 WHERE order_id = $1 AND line_id = $2",
            order["order_id"],
            line_id,
            quantity,
        )

    order_lines = await connection.fetch("SELECT * FROM order_lines WHERE order_id = $1", order["order_id"])
    new_status = fulfillment_status(
        {line["line_id"]: line["quantity"] - line["cancelled_quantity"] for line in order_lines},
        {line["line_id"]: line["shipped_quantity"] for line in order_lines},
    )
    fully_shipped = new_status == "fulfilled"
    await _publish_fulfillment(
        runtime, connection, order, request, order_lines, shipment, fulfillment_id, fully_shipped
    )
    await add_history(
        connection,
        order["order_id"],
        kind="shipment",
        detail=(
            f"shipment {shipment.shipment_id} of {shipment.request_id}: "
            + ", ".join(f"{line_id} x{quantity}" for line_id, quantity in shipment.lines)
            + f", {shipment.carrier} {shipment.tracking_number}"
        ),
    )

    status = order["status"]
    if order["status"] in {"cancelled", "refused"}:
        await connection.execute(
            "UPDATE orders SET needs_attention = true, attention_reason = $2 WHERE order_id = $1",
            order["order_id"],
            f"3PL shipped {shipment.shipment_id} after the order was {order['status']} on the channel",
        )
    elif new_status is not None and new_status != order["status"]:
        shipped = sum(line["shipped_quantity"] for line in order_lines)
        ordered = sum(line["quantity"] - line["cancelled_quantity"] for line in order_lines)
        await set_status(
            runtime,
            connection,
            order,
            status=new_status,
            reason=None,
            detail=f"{shipped} of {ordered} units shipped",
        )
        status = new_status
    return ShipmentOutcome(result="recorded", fulfillment_id=fulfillment_id, order_status=status)


async def _publish_fulfillment(
    runtime: ServiceRuntime,
    connection: asyncpg.Connection,
    order: asyncpg.Record,
    request: asyncpg.Record,
    order_lines: list[asyncpg.Record],
    shipment: ReportedShipment,
    fulfillment_id: str,
    fully_shipped: bool,
) -> None:
    skus = {line["line_id"]: (line["master_sku"], line["channel_sku"]) for line in order_lines}
    event = runtime.event(
        type="fulfillment.created",
        payload={
            "fulfillment_id": fulfillment_id,
            "integration_id": order["integration_id"],
            "channel": order["channel"],
            "external_order_id": order["external_id"],
            "location_id": request["location_id"],
            "shipping_request_id": request["request_id"],
            "lines": [
                {
                    "line_id": line_id,
                    "quantity": quantity,
                    "master_sku": skus.get(line_id, (None, None))[0],
                    "channel_sku": skus.get(line_id, (None, None))[1],
                }
                for line_id, quantity in shipment.lines
            ],
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "tracking_url": shipment.tracking_url,
            "shipped_at": shipment.shipped_at,
            "order_fully_shipped": fully_shipped,
        },
        account_id=order["account_id"],
        key=order_key(order["account_id"], order["integration_id"], order["external_id"]),
        integration_id=order["integration_id"],
    )
    await runtime.publish(connection, event)
