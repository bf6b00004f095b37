"""Stock reservation for seller-fulfilled orders.

An order line with a master SKU commits stock when the order enters the hub,
against the SKU and not yet at a location (the unallocated commitment, with
`allocation_ref` ''). Routing moves quantity to a location (one row per
shipping request), cancellation or refusal releases every open row, and a
shipment turns the shipped quantity into an on-hand decrement at its location.
The open quantity of a line is always `ordered − shipped`.
"""

import logging

import asyncpg
from crossdock_common.events import EventEnvelope
from crossdock_common.service import ServiceRuntime

from crossdock_inventory.service_layer.stock import mark_dirty, move_stock, record_movement

logger = logging.getLogger(__name__)

TERMINAL_STATUSES = ("cancelled", "refused")


class OrderRef:
    """An order by account, integration and the channel's order id."""

    def __init__(self, account_id: str, integration_id: str, external_id: str) -> None:
        self.account_id = account_id
        self.integration_id = integration_id
        self.external_id = external_id

    def __str__(self) -> str:
        return f"{self.integration_id}/{self.external_id}"


async def record_order_status(connection: asyncpg.Connection, order: OrderRef, status: str) -> bool:
    """Store the order's latest status. Return False when the order was already cancelled or refused.

    Cancellation is terminal: a later or out-of-order event does not reopen the order.
    """
    was_terminal = await connection.fetchval(
        "SELECT terminal FROM orders WHERE account_id = $1 AND integration_id = $2 AND external_id = $3 FOR UPDATE",
        order.account_id,
        order.integration_id,
        order.external_id,
    )
    if was_terminal:
        return False
    await connection.execute(
        "INSERT INTO orders (account_id, integration_id, external_id, status, terminal) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (account_id, integration_id, external_id) DO UPDATE "
        "SET status = EXCLUDED.status, terminal = orders.terminal OR EXCLUDED.terminal, updated_at = now()",
        order.account_id,
        order.integration_id,
        order.external_id,
        status,
        status in TERMINAL_STATUSES,
    )
    return True


async def is_terminal(connection: asyncpg.Connection, order: OrderRef) -> bool:
    return bool(
        await connection.fetchval(
            "SELECT terminal FROM orders WHERE account_id = $1 AND integration_id = $2 AND external_id = $3",
            order.account_id,
            order.integration_id,
            order.external_id,
        )
    )


async def sync_line(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    order: OrderRef,
    *,
    line_id: str,
    sku: str,
    ordered: int,
    channel_warehouse_id: str | None,
    cause_event: EventEnvelope | None,
) -> None:
    """Make the line's open commitment equal to `ordered − shipped`, committing or releasing the difference."""
    previous = await connection.fetchrow(
        "SELECT sku FROM order_lines WHERE account_id = $1 AND integration_id = $2 "
        "AND external_order_id = $3 AND line_id = $4 FOR UPDATE",
        order.account_id,
        order.integration_id,
        order.external_id,
        line_id,
    )
    if previous is not None and previous["sku"] != sku:
        # The line now resolves to another product: free the old SKU's stock first.
        await release_line(connection, runtime, order, line_id=line_id, cause_event=cause_event)
        await connection.execute(
            "DELETE FROM order_lines WHERE account_id = $1 AND integration_id = $2 "
            "AND external_order_id = $3 AND line_id = $4",
            order.account_id,
            order.integration_id,
            order.external_id,
            line_id,
        )

    line = await connection.fetchrow(
        "INSERT INTO order_lines (account_id, integration_id, external_order_id, line_id, sku, ordered, "
        "channel_warehouse_id) VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (account_id, integration_id, external_order_id, line_id) DO UPDATE "
        "SET ordered = EXCLUDED.ordered, channel_warehouse_id = EXCLUDED.channel_warehouse_id, updated_at = now() "
        "RETURNING ordered, shipped",
        order.account_id,
        order.integration_id,
        order.external_id,
        line_id,
        sku,
        ordered,
        channel_warehouse_id,
    )
    target = max(line["ordered"] - line["shipped"], 0)
    open_quantity = await _open_quantity(connection, order, line_id)

    if target > open_quantity:
        await _change_unallocated(
            connection,
            order,
            line_id=line_id,
            sku=sku,
            delta=target - open_quantity,
            detail=f"order {order} line {line_id} committed",
        )
    elif target < open_quantity:
        await _reduce_open(
            connection,
            runtime,
            order,
            line_id=line_id,
            quantity=open_quantity - target,
            detail=f"order {order} line {line_id} quantity reduced",
            cause_event=cause_event,
        )


async def allocate_line(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    order: OrderRef,
    *,
    line_id: str,
    quantity: int,
    location_id: str,
    shipping_request_id: str,
    cause_event: EventEnvelope | None,
) -> None:
    """Move `quantity` of a line's commitment to `location_id`. A repeat of the same request changes nothing."""
    line = await connection.fetchrow(
        "SELECT sku, greatest(ordered - shipped, 0) AS still_to_ship FROM order_lines WHERE account_id = $1 "
        "AND integration_id = $2 AND external_order_id = $3 AND line_id = $4 FOR UPDATE",
        order.account_id,
        order.integration_id,
        order.external_id,
        line_id,
    )
    if line is None:
        logger.warning(
            "allocation for an order line with no committed SKU; nothing to move",
            extra={"order": str(order), "line_id": line_id, "location_id": location_id},
        )
        return
    if not await _location_exists(connection, order.account_id, location_id):
        logger.warning(
            "allocation to a location unknown to inventory; stock stays unallocated",
            extra={"order": str(order), "line_id": line_id, "location_id": location_id},
        )
        return

    inserted = await connection.fetchval(
        "INSERT INTO commitments (account_id, integration_id, external_order_id, line_id, allocation_ref, sku, "
        "location_id, quantity) VALUES ($1, $2, $3, $4, $5, $6, $7, 0) ON CONFLICT DO NOTHING RETURNING true",
        order.account_id,
        order.integration_id,
        order.external_id,
        line_id,
        shipping_request_id,
        line["sku"],
        location_id,
    )
    if not inserted:
        return  # This shipping request was applied before.

    # Shipments travel on another topic and may arrive before the routing event, so
    # never commit more at the location than the line still has to ship.
    unallocated = await _unallocated_quantity(connection, order, line_id)
    allocated = await _open_quantity(connection, order, line_id) - unallocated
    quantity = min(quantity, max(line["still_to_ship"] - allocated, 0))
    if quantity == 0:
        return
    taken = min(unallocated, quantity)
    if taken > 0:
        await _change_unallocated(
            connection,
            order,
            line_id=line_id,
            sku=line["sku"],
            delta=-taken,
            detail=f"order {order} line {line_id} routed to {location_id}",
        )
    await _set_allocated(connection, order, line_id=line_id, ref=shipping_request_id, quantity=quantity)
    await move_stock(
        connection,
        runtime,
        account_id=order.account_id,
        sku=line["sku"],
        location_id=location_id,
        committed_delta=quantity,
        cause="order",
        reference=str(order),
        detail=f"order {order} line {line_id} routed to {location_id} ({shipping_request_id})",
        cause_event=cause_event,
    )


async def unallocate_order(
    connection: asyncpg.Connection, runtime: ServiceRuntime, order: OrderRef, *, cause_event: EventEnvelope | None
) -> None:
    """Move every allocated commitment of the order back to unallocated (the order waits for routing again)."""
    rows = await connection.fetch(
        "SELECT line_id, allocation_ref, sku, location_id, quantity FROM commitments "
        "WHERE account_id = $1 AND integration_id = $2 AND external_order_id = $3 "
        "AND allocation_ref <> '' AND quantity > 0 ORDER BY line_id, allocation_ref FOR UPDATE",
        order.account_id,
        order.integration_id,
        order.external_id,
    )
    for row in rows:
        await _set_allocated(connection, order, line_id=row["line_id"], ref=row["allocation_ref"], quantity=0)
        await move_stock(
            connection,
            runtime,
            account_id=order.account_id,
            sku=row["sku"],
            location_id=row["location_id"],
            committed_delta=-row["quantity"],
            cause="order",
            reference=str(order),
            detail=f"order {order} line {row['line_id']} unrouted from {row['location_id']}",
            cause_event=cause_event,
        )
        await _change_unallocated(
            connection,
            order,
            line_id=row["line_id"],
            sku=row["sku"],
            delta=row["quantity"],
            detail=f"order {order} line {row['line_id']} waits for routing again",
        )


async def release_order(
    connection: asyncpg.Connection, runtime: ServiceRuntime, order: OrderRef, *, cause_event: EventEnvelope | None
) -> None:
    """Release every open commitment of the order (cancelled or refused)."""
    await release_missing_lines(connection, runtime, order, present_line_ids=set(), cause_event=cause_event)


async def release_missing_lines(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    order: OrderRef,
    *,
    present_line_ids: set[str],
    cause_event: EventEnvelope | None,
) -> None:
    """Release the open commitments of lines not in `present_line_ids`, e.g. lines a buyer edit removed."""
    rows = await connection.fetch(
        "SELECT DISTINCT line_id FROM commitments WHERE account_id = $1 AND integration_id = $2 "
        "AND external_order_id = $3 AND quantity > 0 ORDER BY line_id",
        order.account_id,
        order.integration_id,
        order.external_id,
    )
    for row in rows:
        if row["line_id"] not in present_line_ids:
            await release_line(connection, runtime, order, line_id=row["line_id"], cause_event=cause_event)


async def release_line(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    order: OrderRef,
    *,
    line_id: str,
    cause_event: EventEnvelope | None,
) -> None:
    """Release the whole open commitment of one line."""
    open_quantity = await _open_quantity(connection, order, line_id)
    if open_quantity > 0:
        await _reduce_open(
            connection,
            runtime,
            order,
            line_id=line_id,
            quantity=open_quantity,
            detail=f"order {order} line {line_id} released",
            cause_event=cause_event,
        )


async def ship_line(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    order: OrderRef,
    *,
    line_id: str,
    quantity: int,
    sku_hint: str | None,
    location_id: str | None,
    shipping_request_id: str | None,
    fulfillment_id: str,
    cause_event: EventEnvelope | None,
) -> None:
    """Turn a shipped quantity into an on-hand decrement at its location and drop that much commitment."""
    line = await connection.fetchrow(
        "UPDATE order_lines SET shipped = shipped + $5, updated_at = now() WHERE account_id = $1 "
        "AND integration_id = $2 AND external_order_id = $3 AND line_id = $4 RETURNING sku",
        order.account_id,
        order.integration_id,
        order.external_id,
        line_id,
        quantity,
    )
    sku = line["sku"] if line is not None else sku_hint
    if sku is None:
        logger.warning(
            "shipped line has no SKU known to inventory; on hand not decremented",
            extra={"order": str(order), "line_id": line_id, "fulfillment_id": fulfillment_id},
        )
        return

    allocations = await connection.fetch(
        "SELECT allocation_ref, location_id, quantity FROM commitments WHERE account_id = $1 "
        "AND integration_id = $2 AND external_order_id = $3 AND line_id = $4 AND allocation_ref <> '' "
        "AND quantity > 0 ORDER BY (allocation_ref = $5) DESC, (location_id = $6) DESC, allocation_ref FOR UPDATE",
        order.account_id,
        order.integration_id,
        order.external_id,
        line_id,
        shipping_request_id or "",
        location_id or "",
    )
    if location_id is None and allocations:
        location_id = allocations[0]["location_id"]

    remaining = quantity
    for allocation in allocations:
        if allocation["location_id"] != location_id or remaining == 0:
            continue
        taken = min(allocation["quantity"], remaining)
        await _set_allocated(
            connection,
            order,
            line_id=line_id,
            ref=allocation["allocation_ref"],
            quantity=allocation["quantity"] - taken,
        )
        remaining -= taken
    released_here = quantity - remaining
    if remaining > 0:
        # Shipped without (enough) routing at this location: free the rest from the unallocated commitment.
        taken = min(await _unallocated_quantity(connection, order, line_id), remaining)
        if taken > 0:
            await _change_unallocated(
                connection,
                order,
                line_id=line_id,
                sku=sku,
                delta=-taken,
                detail=f"order {order} line {line_id} shipped",
            )

    if line is not None:
        await _release_excess(connection, runtime, order, line_id=line_id, cause_event=cause_event)

    if location_id is None or not await _location_exists(connection, order.account_id, location_id):
        logger.warning(
            "shipment names no location known to inventory; on hand not decremented",
            extra={"order": str(order), "line_id": line_id, "fulfillment_id": fulfillment_id},
        )
        return
    await move_stock(
        connection,
        runtime,
        account_id=order.account_id,
        sku=sku,
        location_id=location_id,
        on_hand_delta=-quantity,
        committed_delta=-released_here,
        cause="fulfillment",
        reference=fulfillment_id,
        detail=f"fulfillment {fulfillment_id} shipped {quantity} of order {order} line {line_id}",
        cause_event=cause_event,
    )


async def _release_excess(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    order: OrderRef,
    *,
    line_id: str,
    cause_event: EventEnvelope | None,
) -> None:
    """Release what a line still has committed beyond `ordered − shipped`.

    This happens when a 3PL ships from another location than the one routing chose.
    """
    target = await connection.fetchval(
        "SELECT greatest(ordered - shipped, 0) FROM order_lines WHERE account_id = $1 AND integration_id = $2 "
        "AND external_order_id = $3 AND line_id = $4",
        order.account_id,
        order.integration_id,
        order.external_id,
        line_id,
    )
    excess = await _open_quantity(connection, order, line_id) - target
    if excess > 0:
        await _reduce_open(
            connection,
            runtime,
            order,
            line_id=line_id,
            quantity=excess,
            detail=f"order {order} line {line_id} shipped from another location",
            cause_event=cause_event,
        )


async def _reduce_open(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    order: OrderRef,
    *,
    line_id: str,
    quantity: int,
    detail: str,
    cause_event: EventEnvelope | None,
) -> None:
    """Release `quantity` of a line's commitment: unallocated first, then allocated rows."""
    rows = await connection.fetch(
        "SELECT allocation_ref, sku, location_id, quantity FROM commitments WHERE account_id = $1 "
        "AND integration_id = $2 AND external_order_id = $3 AND line_id = $4 AND quantity > 0 "
        "ORDER BY allocation_ref FOR UPDATE",
        order.account_id,
        order.integration_id,
        order.external_id,
        line_id,
    )
    remaining = quantity
    for row in rows:
        if remaining == 0:
            break
        taken = min(row["quantity"], remaining)
        remaining -= taken
        if row["allocation_ref"] == "":
            await _change_unallocated(connection, order, line_id=line_id, sku=row["sku"], delta=-taken, detail=detail)
            continue
        await _set_allocated(
            connection, order, line_id=line_id, ref=row["allocation_ref"], quantity=row["quantity"] - taken
        )
        await move_stock(
            connection,
            runtime,
            account_id=order.account_id,
            sku=row["sku"],
            location_id=row["location_id"],
            committed_delta=-taken,
            cause="order",
            reference=str(order),
            detail=detail,
            cause_event=cause_event,
        )


async def _change_unallocated(
    connection: asyncpg.Connection, order: OrderRef, *, line_id: str, sku: str, delta: int, detail: str
) -> None:
    # The CHECK on quantity applies to the proposed row before ON CONFLICT, so a
    # decrease must be an UPDATE. Callers never take more than the row contains.
    if delta >= 0:
        await connection.execute(
            "INSERT INTO commitments (account_id, integration_id, external_order_id, line_id, allocation_ref, sku, "
            "quantity) VALUES ($1, $2, $3, $4, '', $5, $6) "
            "ON CONFLICT (account_id, integration_id, external_order_id, line_id, allocation_ref) DO UPDATE "
            "SET quantity = commitments.quantity + EXCLUDED.quantity, sku = EXCLUDED.sku, updated_at = now()",
            order.account_id,
            order.integration_id,
            order.external_id,
            line_id,
            sku,
            delta,
        )
    else:
        await connection.execute(
            "UPDATE commitments SET quantity = quantity + $5, updated_at = now() WHERE account_id = $1 "
            "AND integration_id = $2 AND external_order_id = $3 AND line_id = $4 AND allocation_ref = ''",
            order.account_id,
            order.integration_id,
            order.external_id,
            line_id,
            delta,
        )
    await record_movement(
        connection,
        account_id=order.account_id,
        sku=sku,
        location_id=None,
        committed_delta=delta,
        cause="order",
        reference=str(order),
        detail=detail,
    )
    await mark_dirty(connection, order.account_id, [sku])


async def _set_allocated(
    connection: asyncpg.Connection, order: OrderRef, *, line_id: str, ref: str, quantity: int
) -> None:
    await connection.execute(
        "UPDATE commitments SET quantity = $6, updated_at = now() WHERE account_id = $1 AND integration_id = $2 "
        "AND external_order_id = $3 AND line_id = $4 AND allocation_ref = $5",
        order.account_id,
        order.integration_id,
        order.external_id,
        line_id,
        ref,
        quantity,
    )


async def _open_quantity(connection: asyncpg.Connection, order: OrderRef, line_id: str) -> int:
    return await connection.fetchval(
        "SELECT COALESCE(sum(quantity), 0) FROM commitments WHERE account_id = $1 AND integration_id = $2 "
        "AND external_order_id = $3 AND line_id = $4",
        order.account_id,
        order.integration_id,
        order.external_id,
        line_id,
    )


async def _unallocated_quantity(connection: asyncpg.Connection, order: OrderRef, line_id: str) -> int:
    return (
        await connection.fetchval(
            "SELECT quantity FROM commitments WHERE account_id = $1 AND integration_id = $2 "
            "AND external_order_id = $3 AND line_id = $4 AND allocation_ref = ''",
            order.account_id,
            order.integration_id,
            order.external_id,
            line_id,
        )
        or 0
    )


async def _location_exists(connection: asyncpg.Connection, account_id: str, location_id: str) -> bool:
    return bool(
        await connection.fetchval(
            "SELECT true FROM locations WHERE account_id = $1 AND location_id = $2", account_id, location_id
        )
    )
