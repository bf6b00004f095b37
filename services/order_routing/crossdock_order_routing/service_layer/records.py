"""Reading and writing the order rows shared by the use cases, and the events built from them."""

import uuid
from typing import Any

import asyncpg
from crossdock_common.events import EventEnvelope, entity_key
from crossdock_common.service import ServiceRuntime


def order_key(account_id: str, integration_id: str, external_id: str) -> str:
    """Return the Kafka key of an order: `<account>:<integration>:<external order id>`."""
    return entity_key(account_id, f"{integration_id}:{external_id}")


def new_id(prefix: str) -> str:
    """Return a new random id such as `ord-1f2e3d4c5b6a7988`."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


async def lock_order(connection: asyncpg.Connection, order_id: str) -> asyncpg.Record | None:
    """Load an order and lock its row until the transaction ends, so two evaluations never overlap."""
    return await connection.fetchrow("SELECT * FROM orders WHERE order_id = $1 FOR UPDATE", order_id)


async def load_lines(connection: asyncpg.Connection, order_id: str) -> list[asyncpg.Record]:
    return await connection.fetch("SELECT * FROM order_lines WHERE order_id = $1 ORDER BY position", order_id)


def line_payloads(lines: list[asyncpg.Record]) -> list[dict[str, Any]]:
    """Return canonical order lines with the master SKUs this service resolved."""
    payloads = []
    for line in lines:
        payload = dict(line["payload"])
        payload["master_sku"] = line["master_sku"]
        payload["cancelled_quantity"] = line["cancelled_quantity"]
        payloads.append(payload)
    return payloads


async def add_history(
    connection: asyncpg.Connection,
    order_id: str,
    *,
    kind: str,
    status: str | None = None,
    previous_status: str | None = None,
    reason: str | None = None,
    detail: str | None = None,
    event: EventEnvelope | None = None,
) -> None:
    """Append one entry to the order's audit trail."""
    await connection.execute(
        "INSERT INTO order_history (order_id, kind, status, previous_status, reason, detail, event_id, event_type) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        order_id,
        kind,
        status,
        previous_status,
        reason,
        detail,
        event.event_id if event else None,
        event.type if event else None,
    )


async def set_status(
    runtime: ServiceRuntime,
    connection: asyncpg.Connection,
    order: asyncpg.Record,
    *,
    status: str,
    reason: str | None,
    detail: str | None,
    allocations: list[dict[str, Any]] | None = None,
    cause: EventEnvelope | None = None,
    first: bool = False,
) -> bool:
    """Change the canonical status of a locked order and publish `order.status_changed`.

    Nothing is published when status and reason stay the same (only the detail
    is updated), so re-evaluations do not repeat events. Return True when the
    status or reason changed.
    """
    changed = first or order["status"] != status or order["status_reason"] != reason
    await connection.execute(
        "UPDATE orders SET status = $2, status_reason = $3, status_detail = $4, updated_at = now() WHERE order_id = $1",
        order["order_id"],
        status,
        reason,
        detail,
    )
    if not changed:
        return False

    previous = None if first else order["status"]
    await add_history(
        connection,
        order["order_id"],
        kind="status",
        status=status,
        previous_status=previous,
        reason=reason,
        detail=detail,
    )
    lines = await load_lines(connection, order["order_id"])
    payload = {
        "integration_id": order["integration_id"],
        "channel": order["channel"],
        "external_id": order["external_id"],
        "status": status,
        "previous_status": previous,
        "status_reason": reason,
        "detail": detail,
        "fulfillment_type": order["fulfillment_type"],
        "lines": line_payloads(lines),
        "allocations": allocations or [],
    }
    event = runtime.event(
        type="order.status_changed",
        payload=payload,
        account_id=order["account_id"],
        key=order_key(order["account_id"], order["integration_id"], order["external_id"]),
        integration_id=order["integration_id"],
        cause=cause,
    )
    await runtime.publish(connection, event)
    return True
