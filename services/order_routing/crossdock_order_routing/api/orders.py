"""Canonical orders: lists, audit trail, routing history, stalled and awaiting-acceptance lists, actions."""

from typing import Any

import asyncpg
from crossdock_common.auth.dependencies import Reader, Writer
from crossdock_common.service import ProblemError, not_found
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from crossdock_order_routing.api.deps import Runtime
from crossdock_order_routing.service_layer import commands
from crossdock_order_routing.service_layer.evaluation import evaluate_order
from crossdock_order_routing.service_layer.projections import channel_settings
from crossdock_order_routing.service_layer.records import add_history, lock_order

router = APIRouter(prefix="/v1", tags=["orders"])

SUMMARY_COLUMNS = (
    "order_id, integration_id, channel, external_id, channel_status, status, status_reason, status_detail, "
    "fulfillment_type, acceptance_deadline, needs_attention, attention_reason, received_at, updated_at"
)


class ActionBody(BaseModel):
    """Optional reason of an accept, refuse or cancel action, passed to the channel."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=500)
    reason_code: str | None = Field(default=None, max_length=64, description="channel reason code, e.g. Mirakl's")


def _summary(row: asyncpg.Record) -> dict[str, Any]:
    return {column.strip(): row[column.strip()] for column in SUMMARY_COLUMNS.split(",")}


async def _owned(connection: asyncpg.Connection, account_id: str, order_id: str) -> asyncpg.Record:
    row = await connection.fetchrow(
        "SELECT * FROM orders WHERE order_id = $1 AND account_id = $2", order_id, account_id
    )
    if row is None:
        raise not_found("order", order_id)
    return row


@router.get("/orders")
async def list_orders(
    principal: Reader,
    runtime: Runtime,
    status: str | None = None,
    integration_id: str | None = None,
    external_id: str | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    """List the account's orders, newest first, optionally by status, integration or external id."""
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            f"SELECT {SUMMARY_COLUMNS} FROM orders WHERE account_id = $1 AND ($2::text IS NULL OR status = $2) "
            "AND ($3::text IS NULL OR integration_id = $3) AND ($4::text IS NULL OR external_id = $4) "
            "ORDER BY received_at DESC LIMIT $5",
            principal.account_id,
            status,
            integration_id,
            external_id,
            limit,
        )
    return [_summary(row) for row in rows]


@router.get("/order-counts")
async def order_counts(principal: Reader, runtime: Runtime) -> list[dict[str, Any]]:
    """Count the account's orders per channel, integration, fulfillment type and status.

    Dashboards and `make run`'s live summary poll this instead of paging
    through every order.
    """
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT channel, integration_id, fulfillment_type, status, count(*) AS orders FROM orders "
            "WHERE account_id = $1 GROUP BY channel, integration_id, fulfillment_type, status "
            "ORDER BY channel, integration_id, fulfillment_type, status",
            principal.account_id,
        )
    return [dict(row) for row in rows]


@router.get("/routing-locations")
async def routing_locations(principal: Reader, runtime: Runtime) -> list[dict[str, Any]]:
    """List the locations as routing sees them, in the order the default rule tries them.

    Routing keeps its own copy of inventory's locations, updated from events. When
    an order goes somewhere unexpected, this shows whether a link or status change
    had reached routing when it decided.
    """
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT location_id, name, status, fulfillment_integration_id, source_integration_id, external_code, "
            "priority, updated_at FROM locations WHERE account_id = $1 ORDER BY priority, location_id",
            principal.account_id,
        )
    return [dict(row) for row in rows]


@router.get("/orders/{order_id}")
async def get_order(order_id: str, principal: Reader, runtime: Runtime) -> dict[str, Any]:
    """Show an order with its lines (resolved SKUs, shipped units) and shipping requests."""
    async with runtime.pool.acquire() as connection:
        order = await _owned(connection, principal.account_id, order_id)
        lines = await connection.fetch(
            "SELECT line_id, channel_sku, master_sku, quantity, cancelled_quantity, shipped_quantity, "
            "channel_warehouse_id FROM order_lines WHERE order_id = $1 ORDER BY position",
            order_id,
        )
        requests = await connection.fetch(
            "SELECT request_id, location_id, fulfillment_integration_id, status, attempts, last_error, "
            "acknowledged_at, cancel_status, cancel_last_error FROM shipping_requests WHERE order_id = $1 "
            "ORDER BY request_id",
            order_id,
        )
        request_lines = await connection.fetch(
            "SELECT l.* FROM shipping_request_lines l JOIN shipping_requests r USING (request_id) "
            "WHERE r.order_id = $1 ORDER BY l.request_id, l.line_id",
            order_id,
        )
    shipping_requests = []
    for request in requests:
        entry = dict(request)
        entry["lines"] = [
            {
                "line_id": line["line_id"],
                "sku": line["sku"],
                "quantity": line["quantity"],
                "shipped_quantity": line["shipped_quantity"],
            }
            for line in request_lines
            if line["request_id"] == request["request_id"]
        ]
        shipping_requests.append(entry)
    return {
        **_summary(order),
        "channel_created_at": order["channel_created_at"],
        "channel_updated_at": order["channel_updated_at"],
        "routable_after": order["routable_after"],
        "shipping_type": order["shipping_type"],
        "shipping_document_ref": order["shipping_document_ref"],
        "ship_to": order["ship_to"],
        "currency": order["currency"],
        "total": str(order["total"]) if order["total"] is not None else None,
        "lines": [dict(line) for line in lines],
        "shipping_requests": shipping_requests,
    }


@router.get("/orders/{order_id}/history")
async def get_history(order_id: str, principal: Reader, runtime: Runtime) -> list[dict[str, Any]]:
    """Return the order's audit trail: events applied, status changes, commands, dispatch and shipments."""
    async with runtime.pool.acquire() as connection:
        await _owned(connection, principal.account_id, order_id)
        rows = await connection.fetch(
            "SELECT occurred_at, kind, status, previous_status, reason, detail, event_id, event_type "
            "FROM order_history WHERE order_id = $1 ORDER BY id",
            order_id,
        )
    return [dict(row) for row in rows]


@router.get("/orders/{order_id}/routing-decisions")
async def get_routing_decisions(order_id: str, principal: Reader, runtime: Runtime) -> list[dict[str, Any]]:
    """Return every routing evaluation of the order: rule used, candidates with reasons, allocations."""
    async with runtime.pool.acquire() as connection:
        await _owned(connection, principal.account_id, order_id)
        rows = await connection.fetch(
            "SELECT decided_at, rule_id, rule_name, outcome, stall_reason, detail, candidates, allocations "
            "FROM routing_decisions WHERE order_id = $1 ORDER BY id",
            order_id,
        )
    return [dict(row) for row in rows]


@router.get("/stalled-orders")
async def list_stalled(principal: Reader, runtime: Runtime, reason: str | None = None) -> list[dict[str, Any]]:
    """List routable orders that could not be routed, with the reason and its details."""
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            f"SELECT {SUMMARY_COLUMNS} FROM orders WHERE account_id = $1 AND status = 'stalled' "
            "AND ($2::text IS NULL OR status_reason = $2) ORDER BY received_at",
            principal.account_id,
            reason,
        )
    return [_summary(row) for row in rows]


@router.get("/awaiting-acceptance")
async def list_awaiting_acceptance(principal: Reader, runtime: Runtime) -> list[dict[str, Any]]:
    """List orders waiting for acceptance on their channel, with the deadline, unresolved lines and auto-accept."""
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            f"SELECT {SUMMARY_COLUMNS} FROM orders WHERE account_id = $1 AND status = 'pending' "
            "AND status_reason = 'awaiting_acceptance' ORDER BY acceptance_deadline NULLS LAST, received_at",
            principal.account_id,
        )
        result = []
        for row in rows:
            unresolved = await connection.fetch(
                "SELECT line_id, channel_sku FROM order_lines WHERE order_id = $1 AND "
                "master_sku IS NULL ORDER BY position",
                row["order_id"],
            )
            settings = await channel_settings(connection, principal.account_id, row["integration_id"])
            result.append(
                {
                    **_summary(row),
                    "unresolved_lines": [dict(line) for line in unresolved],
                    "auto_accept": settings.get("ordersAutoAccept") is True,
                }
            )
    return result


@router.post("/orders/{order_id}/retry")
async def retry_order(order_id: str, principal: Writer, runtime: Runtime) -> dict[str, Any]:
    """Evaluate a pending or stalled order now, and send failed shipping requests again."""
    async with runtime.pool.acquire() as connection, connection.transaction():
        await _owned(connection, principal.account_id, order_id)
        order = await lock_order(connection, order_id)
        requeued = await connection.fetchval(
            "WITH requeued AS (UPDATE shipping_requests SET status = 'pending', next_attempt_at = now(), "
            "attempts = least(attempts, 1) WHERE order_id = $1 AND status = 'failed' AND cancel_status IS NULL "
            "RETURNING 1) SELECT count(*) FROM requeued",
            order_id,
        )
        if requeued:
            await connection.execute(
                "UPDATE orders SET needs_attention = false, attention_reason = NULL WHERE order_id = $1", order_id
            )
            await add_history(
                connection, order_id, kind="retry", detail=f"{requeued} failed shipping request(s) queued again"
            )
        status = await evaluate_order(runtime, connection, order_id)
        if status not in {"pending", "stalled", "routed"} and not requeued:
            raise ProblemError(
                status=409,
                title="Nothing to retry",
                detail=f"order {order_id!r} is {order['status']} and has no failed shipping request",
            )
        refreshed = await _owned(connection, principal.account_id, order_id)
    return _summary(refreshed)


async def _send_action(
    runtime: Runtime, principal, order_id: str, command_type: str, body: ActionBody | None
) -> dict[str, Any]:
    body = body or ActionBody()
    async with runtime.pool.acquire() as connection, connection.transaction():
        await _owned(connection, principal.account_id, order_id)
        order = await lock_order(connection, order_id)
        _check_action(order, command_type)
        if command_type == "command.order.accept":
            unresolved = await connection.fetch(
                "SELECT channel_sku FROM order_lines WHERE order_id = $1 AND master_sku IS NULL", order_id
            )
            if unresolved:
                skus = ", ".join(repr(line["channel_sku"]) for line in unresolved)
                raise ProblemError(
                    status=409,
                    title="Order has unresolved lines",
                    detail=f"order {order_id!r} cannot be accepted while channel SKU {skus} has no master product; "
                    "create the product or map its channel SKU first, or refuse the order",
                )
        command_id = await commands.send_order_command(
            runtime,
            connection,
            order,
            command_type=command_type,
            requested_by=f"user of account {principal.account_id}",
            reason=body.reason,
            reason_code=body.reason_code,
        )
    return {"order_id": order_id, "command_id": command_id, "command_type": command_type}


def _check_action(order: asyncpg.Record, command_type: str) -> None:
    if command_type in {"command.order.accept", "command.order.refuse"}:
        if (
            order["channel"] != "mirakl"
            or order["status"] != "pending"
            or order["status_reason"] != "awaiting_acceptance"
        ):
            raise ProblemError(
                status=409,
                title="Order is not awaiting acceptance",
                detail=f"order {order['order_id']!r} is {order['status']} ({order['status_reason']}); only Mirakl "
                "orders awaiting acceptance can be accepted or refused",
            )
        return
    if order["status"] in {"cancelled", "refused", "fulfilled"}:
        raise ProblemError(
            status=409,
            title="Order is closed",
            detail=f"order {order['order_id']!r} is already {order['status']} and cannot be cancelled",
        )


@router.post("/orders/{order_id}/accept", status_code=202)
async def accept_order(
    order_id: str, principal: Writer, runtime: Runtime, body: ActionBody | None = None
) -> dict[str, Any]:
    """Ask the Mirakl connector to accept the order; the order changes when the connector reports it."""
    return await _send_action(runtime, principal, order_id, "command.order.accept", body)


@router.post("/orders/{order_id}/refuse", status_code=202)
async def refuse_order(
    order_id: str, principal: Writer, runtime: Runtime, body: ActionBody | None = None
) -> dict[str, Any]:
    """Ask the Mirakl connector to refuse the order."""
    return await _send_action(runtime, principal, order_id, "command.order.refuse", body)


@router.post("/orders/{order_id}/cancel", status_code=202)
async def cancel_order(
    order_id: str, principal: Writer, runtime: Runtime, body: ActionBody | None = None
) -> dict[str, Any]:
    """Ask the order's connector to cancel it on the channel, e.g. when the hub cannot fulfil it."""
    return await _send_action(runtime, principal, order_id, "command.order.cancel", body)
