"""Kafka entry points: events from other services that change inventory state."""

import logging

import asyncpg
from crossdock_common.events import EventEnvelope, entity_key, topics
from crossdock_common.service import ConsumerSpec, ServiceRuntime

from crossdock_inventory.service_layer import locations, projections, reservations
from crossdock_inventory.service_layer.availability import resync_integration
from crossdock_inventory.service_layer.reservations import OrderRef

logger = logging.getLogger(__name__)

HANDLED_TYPES = frozenset(
    {
        "integration.upserted",
        "integration.deleted",
        "product.upserted",
        "product.deleted",
        "location.discovered",
        "order.received",
        "order.updated",
        "order.lines_resolved",
        "order.status_changed",
        "fulfillment.created",
        "command.inventory.resync",
    }
)


def build_handler(runtime: ServiceRuntime):
    async def handle(connection: asyncpg.Connection, event: EventEnvelope) -> None:
        match event.type:
            case "integration.upserted":
                await projections.apply_integration(connection, event)
            case "integration.deleted":
                await projections.delete_integration(connection, event)
            case "product.upserted":
                await projections.apply_product(connection, event)
            case "product.deleted":
                await projections.delete_product(connection, event)
            case "location.discovered":
                await _location_discovered(connection, runtime, event)
            case "order.received" | "order.updated":
                await _order_seen(connection, runtime, event)
            case "order.lines_resolved":
                await _lines_resolved(connection, runtime, event)
            case "order.status_changed":
                await _order_status_changed(connection, runtime, event)
            case "fulfillment.created":
                await _fulfillment_created(connection, runtime, event)
            case "command.inventory.resync":
                await _resync(connection, runtime, event)

    return handle


async def _location_discovered(connection, runtime, event: EventEnvelope) -> None:
    payload = event.payload
    await locations.upsert_discovered(
        connection,
        runtime,
        event.account_id,
        integration_id=payload.integration_id,
        external_code=payload.external_code,
        name=payload.name,
        address=payload.address.model_dump(mode="json") if payload.address else None,
        cause_event=event,
    )


async def _order_seen(connection, runtime, event: EventEnvelope) -> None:
    """Commit resolved lines of a seller-fulfilled order, or release everything when it ended."""
    payload = event.payload
    order = OrderRef(event.account_id, payload.integration_id, payload.external_id)
    if payload.fulfillment_type != "seller":
        return  # The channel ships it from its own stock (e.g. FBT), so nothing is reserved here.

    if not await reservations.record_order_status(connection, order, payload.status):
        return
    if payload.status in reservations.TERMINAL_STATUSES:
        await reservations.release_order(connection, runtime, order, cause_event=event)
        return

    # NOTE: an order the channel reports as fulfilled keeps its commitments until order
    # routing publishes the matching fulfillment.created, which decrements on hand.
    for line in payload.lines:
        if line.master_sku is None:
            continue  # Committed once an order update or lines_resolved event resolves it.
        await reservations.sync_line(
            connection,
            runtime,
            order,
            line_id=line.line_id,
            sku=line.master_sku,
            ordered=line.quantity - line.cancelled_quantity,
            channel_warehouse_id=line.channel_warehouse_id or payload.channel_warehouse_id,
            cause_event=event,
        )
    await reservations.release_missing_lines(
        connection, runtime, order, present_line_ids={line.line_id for line in payload.lines}, cause_event=event
    )


async def _lines_resolved(connection, runtime, event: EventEnvelope) -> None:
    payload = event.payload
    order = OrderRef(event.account_id, payload.integration_id, payload.external_id)
    if await reservations.is_terminal(connection, order):
        return
    for line in payload.lines:
        if line.master_sku is None:
            continue
        await reservations.sync_line(
            connection,
            runtime,
            order,
            line_id=line.line_id,
            sku=line.master_sku,
            ordered=line.quantity - line.cancelled_quantity,
            channel_warehouse_id=line.channel_warehouse_id,
            cause_event=event,
        )


async def _order_status_changed(connection, runtime, event: EventEnvelope) -> None:
    """Move commitments to the routed locations, back when routing restarts, or release them."""
    payload = event.payload
    order = OrderRef(event.account_id, payload.integration_id, payload.external_id)
    if payload.fulfillment_type != "seller":
        return
    if not await reservations.record_order_status(connection, order, payload.status):
        return

    if payload.status in reservations.TERMINAL_STATUSES:
        await reservations.release_order(connection, runtime, order, cause_event=event)
        return
    if payload.status in ("pending", "stalled") and payload.previous_status in ("routed", "sent_to_fulfillment"):
        await reservations.unallocate_order(connection, runtime, order, cause_event=event)
        return

    for allocation in payload.allocations:
        for entry in allocation.lines:
            for line_id, quantity in entry.items():
                await reservations.allocate_line(
                    connection,
                    runtime,
                    order,
                    line_id=line_id,
                    quantity=quantity,
                    location_id=allocation.location_id,
                    shipping_request_id=allocation.shipping_request_id,
                    cause_event=event,
                )


async def _fulfillment_created(connection, runtime, event: EventEnvelope) -> None:
    """Decrement on hand for each shipped line, once per fulfillment id."""
    payload = event.payload
    first_time = await connection.fetchval(
        "INSERT INTO applied_fulfillments (account_id, fulfillment_id) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING RETURNING true",
        event.account_id,
        payload.fulfillment_id,
    )
    if not first_time:
        return

    order = OrderRef(event.account_id, payload.integration_id, payload.external_order_id)
    for line in payload.lines:
        await reservations.ship_line(
            connection,
            runtime,
            order,
            line_id=line.line_id,
            quantity=line.quantity,
            sku_hint=line.master_sku,
            location_id=payload.location_id,
            shipping_request_id=payload.shipping_request_id,
            fulfillment_id=payload.fulfillment_id,
            cause_event=event,
        )
    if payload.order_fully_shipped:
        await reservations.release_order(connection, runtime, order, cause_event=event)


async def _resync(connection, runtime, event: EventEnvelope) -> None:
    """Publish a full availability snapshot of the integration for a resync command, then the command result."""
    payload = event.payload
    known = await connection.fetchval(
        "SELECT type FROM integrations WHERE account_id = $1 AND integration_id = $2 AND NOT deleted",
        event.account_id,
        payload.integration_id,
    )
    if known in ("mirakl", "tiktok"):
        count = await resync_integration(
            connection,
            runtime,
            account_id=event.account_id,
            integration_id=payload.integration_id,
            snapshot_id=payload.command_id,
            cause_event=event,
        )
        status, message = "succeeded", f"published a snapshot of {count} availability figures"
        logger.info(
            "published availability snapshot",
            extra={"integration_id": payload.integration_id, "command_id": payload.command_id, "events": count},
        )
    else:
        status = "rejected"
        message = (
            f"integration {payload.integration_id!r} is not a Mirakl or TikTok integration known to inventory; "
            "check the id, or wait until its integration event arrives"
        )
        logger.warning("resync rejected: %s", message, extra={"integration_id": payload.integration_id})

    result = runtime.event(
        type="command.result",
        payload={
            "command_id": payload.command_id,
            "command_type": event.type,
            "integration_id": payload.integration_id,
            "status": status,
            "message": message,
        },
        account_id=event.account_id,
        key=entity_key(event.account_id, payload.integration_id),
        integration_id=payload.integration_id,
        cause=event,
    )
    await runtime.publish(connection, result)


CONSUMERS = [
    ConsumerSpec(
        group="inventory",
        topics=[
            topics.INTEGRATIONS,
            topics.PRODUCTS,
            topics.LOCATIONS,
            topics.ORDERS,
            topics.FULFILLMENTS,
            topics.COMMANDS,
        ],
        handler=build_handler,
        wants=lambda event_type: event_type in HANDLED_TYPES,
    )
]
