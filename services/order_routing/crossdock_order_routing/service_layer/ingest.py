"""Intake of channel orders (`order.received`, `order.updated`) into canonical orders."""

import logging
from datetime import UTC, datetime

import asyncpg
from crossdock_common.events import EventEnvelope
from crossdock_common.service import ServiceRuntime

from crossdock_order_routing.domain.release import (
    TERMINAL_STATUSES,
    UNROUTED_STATUSES,
    decide_release,
)
from crossdock_order_routing.service_layer import cancellation, evaluation
from crossdock_order_routing.service_layer.projections import channel_settings, hold_minutes
from crossdock_order_routing.service_layer.records import add_history, lock_order, new_id, set_status

logger = logging.getLogger(__name__)


async def apply_channel_order(runtime: ServiceRuntime, connection: asyncpg.Connection, event: EventEnvelope) -> None:
    """Create or update the canonical order of a channel order, then release, route or close it."""
    payload = event.payload
    account_id = event.account_id
    order_id = await connection.fetchval(
        "INSERT INTO orders (order_id, account_id, integration_id, channel, external_id, channel_status, "
        "channel_order_status, channel_status_reason, status, fulfillment_type, shipping_type, shipping_document_ref, "
        "currency, total, ship_to, channel_warehouse_id, acceptance_deadline, channel_created_at, channel_updated_at, "
        "payload) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11, "
        "$12, $13, $14, $15, $16, $17, $18, $19) "
        "ON CONFLICT (account_id, integration_id, external_id) DO NOTHING RETURNING order_id",
        new_id("ord"),
        account_id,
        payload.integration_id,
        payload.channel,
        payload.external_id,
        payload.channel_status,
        payload.status,
        payload.status_reason,
        payload.fulfillment_type,
        payload.shipping_type,
        payload.shipping_document_ref,
        payload.currency,
        payload.total,
        payload.ship_to.model_dump(mode="json") if payload.ship_to else None,
        payload.channel_warehouse_id,
        payload.acceptance_deadline,
        payload.created_at,
        payload.updated_at,
        payload.model_dump(mode="json"),
    )
    created = order_id is not None
    if created:
        await _replace_lines(connection, order_id, payload.lines)
        await add_history(
            connection, order_id, kind="event", detail=f"channel status {payload.channel_status}", event=event
        )
    else:
        order_id = await connection.fetchval(
            "SELECT order_id FROM orders WHERE account_id = $1 AND integration_id = $2 AND external_id = $3",
            account_id,
            payload.integration_id,
            payload.external_id,
        )
        if not await _apply_update(connection, order_id, event):
            return

    order = await lock_order(connection, order_id)
    settings = await channel_settings(connection, account_id, payload.integration_id)
    release = decide_release(
        channel=order["channel"],
        channel_status=order["channel_status"],
        connector_status=order["channel_order_status"],
        connector_reason=order["channel_status_reason"],
        fulfillment_type=order["fulfillment_type"],
        created_at=order["channel_created_at"],
        hold_minutes=hold_minutes(settings),
        now=datetime.now(UTC),
    )
    if release.status in {"cancelled", "refused"}:
        await cancellation.close_cancelled_order(
            runtime, connection, order, status=release.status, cause=event, first=created
        )
    elif release.status == "fulfilled":
        await _close_fulfilled_on_channel(runtime, connection, order, reason=release.reason, cause=event, first=created)
    else:
        await evaluation.evaluate_order(runtime, connection, order_id, cause=event, first=created)


async def _apply_update(connection: asyncpg.Connection, order_id: str, event: EventEnvelope) -> bool:
    """Apply a later view of a known order; return False when it is stale or cannot reopen the order."""
    payload = event.payload
    order = await lock_order(connection, order_id)
    if order["status"] in TERMINAL_STATUSES and payload.status not in TERMINAL_STATUSES:
        # Cancellation is terminal: a late "ready" or "paid" update never reopens the order.
        await add_history(
            connection,
            order_id,
            kind="ignored",
            detail=f"channel status {payload.channel_status} arrived after the order was {order['status']}",
            event=event,
        )
        return False
    if payload.updated_at < order["channel_updated_at"]:
        await add_history(
            connection,
            order_id,
            kind="ignored",
            detail=(
                f"out-of-order update: channel status {payload.channel_status} of {payload.updated_at.isoformat()} "
                f"is older than the stored view of {order['channel_updated_at'].isoformat()}"
            ),
            event=event,
        )
        return False

    await connection.execute(
        "UPDATE orders SET channel_status = $2, channel_order_status = $3, channel_status_reason = $4, "
        "shipping_type = $5, shipping_document_ref = $6, total = $7, ship_to = $8, channel_warehouse_id = $9, "
        "acceptance_deadline = $10, channel_updated_at = $11, payload = $12, updated_at = now() WHERE order_id = $1",
        order_id,
        payload.channel_status,
        payload.status,
        payload.status_reason,
        payload.shipping_type,
        payload.shipping_document_ref,
        payload.total,
        payload.ship_to.model_dump(mode="json") if payload.ship_to else None,
        payload.channel_warehouse_id,
        payload.acceptance_deadline,
        payload.updated_at,
        payload.model_dump(mode="json"),
    )
    if order["status"] in UNROUTED_STATUSES:
        await _replace_lines(connection, order_id, payload.lines)
    else:
        await _update_routed_lines(connection, order_id, payload.lines)
    await add_history(
        connection, order_id, kind="event", detail=f"channel status {payload.channel_status}", event=event
    )
    return True


async def _replace_lines(connection: asyncpg.Connection, order_id: str, lines) -> None:
    """Store the channel's lines of an order that is not routed yet, keeping master SKUs resolved here."""
    known = {
        row["line_id"]: row["master_sku"]
        for row in await connection.fetch("SELECT line_id, master_sku FROM order_lines WHERE order_id = $1", order_id)
    }
    await connection.execute("DELETE FROM order_lines WHERE order_id = $1", order_id)
    await connection.executemany(
        "INSERT INTO order_lines (order_id, line_id, position, channel_sku, master_sku, quantity, cancelled_quantity, "
        "channel_warehouse_id, payload) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            (
                order_id,
                line.line_id,
                position,
                line.channel_sku,
                line.master_sku or known.get(line.line_id),
                line.quantity,
                line.cancelled_quantity,
                line.channel_warehouse_id,
                line.model_dump(mode="json"),
            )
            for position, line in enumerate(lines)
        ],
    )


async def _update_routed_lines(connection: asyncpg.Connection, order_id: str, lines) -> None:
    # NOTE: once routed, only cancelled quantities follow the channel; added or
    # changed lines are not sent to the 3PL again.
    await connection.executemany(
        "UPDATE order_lines SET cancelled_quantity = $3 WHERE order_id = $1 AND line_id = $2",
        [(order_id, line.line_id, line.cancelled_quantity) for line in lines],
    )


async def _close_fulfilled_on_channel(
    runtime: ServiceRuntime,
    connection: asyncpg.Connection,
    order: asyncpg.Record,
    *,
    reason: str | None,
    cause: EventEnvelope,
    first: bool,
) -> None:
    if order["status"] == "fulfilled" and not first:
        return
    if order["fulfillment_type"] == "channel":
        detail = "fulfilled by the channel; never routed"
    else:
        detail = f"the channel reports the order as {order['channel_status']}"
    await set_status(
        runtime, connection, order, status="fulfilled", reason=reason, detail=detail, cause=cause, first=first
    )
