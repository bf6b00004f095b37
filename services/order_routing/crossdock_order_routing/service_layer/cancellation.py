"""Cancellation and refusal of orders on their channel: 3PL cancellation and release of stock."""

import logging

import asyncpg
from crossdock_common.events import EventEnvelope
from crossdock_common.service import ServiceRuntime

from crossdock_order_routing.service_layer.records import add_history, set_status

logger = logging.getLogger(__name__)


async def close_cancelled_order(
    runtime: ServiceRuntime,
    connection: asyncpg.Connection,
    order: asyncpg.Record,
    *,
    status: str,
    cause: EventEnvelope,
    first: bool,
) -> None:
    """Move a locked order to `cancelled` or `refused` once, and withdraw its shipping requests.

    The one `order.status_changed` published here is what lets inventory release
    the order's commitment. A shipping request that was never sent is withdrawn
    locally; one the 3PL may hold gets a cancellation queued for the dispatcher.
    An order that has already shipped in full stays fulfilled and is flagged
    for a person.
    """
    if order["status"] in {"cancelled", "refused"} and not first:
        return
    if order["status"] == "fulfilled" and not first:
        await _flag(connection, order, "cancelled on the channel after the 3PL shipped every unit", cause)
        return

    await connection.execute(
        "UPDATE shipping_requests SET status = 'withdrawn' WHERE order_id = $1 AND status = 'pending' AND attempts = 0",
        order["order_id"],
    )
    queued = await connection.fetchval(
        "WITH queued AS (UPDATE shipping_requests SET cancel_status = 'pending', cancel_next_attempt_at = now() "
        "WHERE order_id = $1 AND status IN ('pending', 'acknowledged', 'failed') AND cancel_status IS NULL "
        "RETURNING 1) SELECT count(*) FROM queued",
        order["order_id"],
    )
    shipped = await connection.fetchval(
        "SELECT coalesce(sum(shipped_quantity), 0) FROM order_lines WHERE order_id = $1", order["order_id"]
    )
    if shipped > 0:
        await _flag(connection, order, f"cancelled on the channel after {shipped} unit(s) shipped", cause)

    detail = f"{status} on the channel (channel status {order['channel_status']})"
    if queued:
        detail += f"; cancellation of {queued} shipping request(s) queued for the 3PL"
    await set_status(runtime, connection, order, status=status, reason=None, detail=detail, cause=cause, first=first)


async def _flag(connection: asyncpg.Connection, order: asyncpg.Record, reason: str, cause: EventEnvelope) -> None:
    await connection.execute(
        "UPDATE orders SET needs_attention = true, attention_reason = $2, updated_at = now() WHERE order_id = $1",
        order["order_id"],
        reason,
    )
    await add_history(connection, order["order_id"], kind="attention", detail=reason, event=cause)
    logger.warning("order needs attention: %s", reason, extra={"order_id": order["order_id"]})
