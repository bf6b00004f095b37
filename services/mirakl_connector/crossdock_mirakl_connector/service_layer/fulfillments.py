"""Fulfillment push: tracking (OR23) and ship confirmation (OR24), or shipments (ST01) on multi-shipment platforms.

Each `fulfillment.created` is stored once by its id, so a redelivered event
never ships twice. The job reads the order state the last pull stored before
acting: OR24 is valid only in SHIPPING, so earlier states wait and retry, an
order already shipped counts as confirmed, and a cancelled order stops with an
error. Quantities beyond what is left on a line are capped.
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from crossdock_common.events import entity_key
from crossdock_common.http import ClientError
from crossdock_common.service import ServiceRuntime

from crossdock_mirakl_connector.adapters import repository
from crossdock_mirakl_connector.adapters.mirakl import orders as orders_api
from crossdock_mirakl_connector.adapters.mirakl import shipments as shipments_api
from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient
from crossdock_mirakl_connector.adapters.mirakl.errors import MiraklApiError
from crossdock_mirakl_connector.domain.orders import FULFILLED_STATES

logger = logging.getLogger(__name__)

JOB = "fulfillments"
BATCH = 20


async def record(connection: asyncpg.Connection, event) -> None:
    """Store a fulfillment of one of this service's Mirakl integrations, once per fulfillment id."""
    fulfillment = event.payload
    integration = await repository.load_integration(connection, fulfillment.integration_id)
    if integration is None or integration["account_id"] != event.account_id or fulfillment.channel != "mirakl":
        return
    await connection.execute(
        "INSERT INTO fulfillments (fulfillment_id, integration_id, account_id, order_id, payload) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (fulfillment_id) DO NOTHING",
        fulfillment.fulfillment_id,
        fulfillment.integration_id,
        event.account_id,
        fulfillment.external_order_id,
        fulfillment.model_dump(mode="json"),
    )


def remaining_quantities(order_lines: list[dict[str, Any]], shipped: dict[str, int]) -> dict[str, int]:
    """Return what is left to ship per line: ordered minus cancelled minus already shipped."""
    return {
        line["line_id"]: line["quantity"] - line.get("cancelled_quantity", 0) - shipped.get(line["line_id"], 0)
        for line in order_lines
    }


def cap_lines(lines: list[dict[str, Any]], remaining: dict[str, int]) -> tuple[dict[str, int], list[str]]:
    """Cap each shipped line at what is left; return the quantities to send and notes on what was cut."""
    send: dict[str, int] = {}
    notes: list[str] = []
    left = dict(remaining)
    for line in lines:
        line_id = line["line_id"]
        available = left.get(line_id, 0)
        quantity = min(line["quantity"], max(available, 0))
        if quantity < line["quantity"]:
            notes.append(f"line {line_id}: {line['quantity']} reported, {max(available, 0)} left to ship")
        if quantity > 0:
            send[line_id] = send.get(line_id, 0) + quantity
            left[line_id] = available - quantity
    return send, notes


async def _carrier(connection: asyncpg.Connection, integration_id: str, fulfillment: dict[str, Any]) -> dict[str, str]:
    row = await connection.fetchrow(
        "SELECT * FROM carriers WHERE integration_id = $1 AND carrier_key = $2",
        integration_id,
        fulfillment["carrier"].strip().lower(),
    )
    tracking: dict[str, str] = {}
    if row is not None and row["carrier_code"]:
        tracking["carrier_code"] = row["carrier_code"]
    else:
        tracking["carrier_name"] = fulfillment["carrier"]
        if fulfillment.get("tracking_url"):
            tracking["carrier_url"] = fulfillment["tracking_url"]
    if fulfillment.get("tracking_number"):
        tracking["tracking_number"] = fulfillment["tracking_number"]
    return tracking


async def _shipped_so_far(connection: asyncpg.Connection, row: asyncpg.Record) -> dict[str, int]:
    others = await connection.fetch(
        "SELECT payload FROM fulfillments WHERE integration_id = $1 AND order_id = $2 AND status = 'confirmed' "
        "AND fulfillment_id <> $3",
        row["integration_id"],
        row["order_id"],
        row["fulfillment_id"],
    )
    shipped: dict[str, int] = {}
    for other in others:
        for line in other["payload"].get("sent_lines") or other["payload"]["lines"]:
            shipped[line["line_id"]] = shipped.get(line["line_id"], 0) + line["quantity"]
    return shipped


async def push_due(runtime: ServiceRuntime, integration: asyncpg.Record, client: MiraklClient) -> dict[str, int]:
    counts = {"fulfillments_pushed": 0, "fulfillments_waiting": 0, "fulfillments_failed": 0}
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT * FROM fulfillments WHERE integration_id = $1 AND status IN ('pending', 'waiting') "
            "AND next_attempt_at <= now() ORDER BY created_at LIMIT $2",
            integration["integration_id"],
            BATCH,
        )
    for row in rows:
        outcome = await _push_one(runtime, integration, client, row)
        counts[
            {"confirmed": "fulfillments_pushed", "waiting": "fulfillments_waiting"}.get(outcome, "fulfillments_failed")
        ] += 1
    return counts


async def _push_one(runtime, integration, client, row) -> str:
    fulfillment = row["payload"]
    async with runtime.pool.acquire() as connection:
        order = await connection.fetchrow(
            "SELECT * FROM orders WHERE integration_id = $1 AND order_id = $2", row["integration_id"], row["order_id"]
        )
        shipped = await _shipped_so_far(connection, row)
    if order is None:
        return await _wait(runtime, row, f"order {row['order_id']} is not in the hub yet")
    state = order["state"]
    if state in ("CANCELED", "REFUSED"):
        return await _close(
            runtime, row, "failed", f"order {row['order_id']} is {state} on Mirakl; nothing was shipped"
        )

    remaining = remaining_quantities(order["canonical"]["lines"], shipped)
    send, notes = cap_lines(fulfillment["lines"], remaining)
    if not send:
        return await _close(runtime, row, "failed", "nothing left to ship: " + "; ".join(notes))
    left_after = {line_id: left - send.get(line_id, 0) for line_id, left in remaining.items()}
    fully_shipped = fulfillment.get("order_fully_shipped") or all(left <= 0 for left in left_after.values())

    multi_shipment = bool(
        (((integration["platform"] or {}).get("features") or {}).get("shipment") or {}).get("multi_shipment")
    )
    try:
        async with runtime.pool.acquire() as connection:
            tracking = await _carrier(connection, row["integration_id"], fulfillment)
        if multi_shipment:
            outcome = await _push_shipment(client, row, send, tracking, fulfillment)
        else:
            outcome = await _push_tracking_and_ship(runtime, client, row, state, tracking, fully_shipped)
    except MiraklApiError as error:
        async with runtime.pool.acquire() as connection:
            await repository.record_error(connection, row["integration_id"], JOB, str(error), error.body)
        if error.status_code == 400:
            # Mostly "not in SHIPPING": the next pull refreshes the state, then this retries.
            return await _wait(runtime, row, f"Mirakl refused the shipment: {error}")
        return await _close(runtime, row, "failed", f"Mirakl refused the shipment: {error}")
    except ClientError as error:
        return await _wait(runtime, row, str(error))

    if outcome == "confirmed":
        message = "; ".join(notes) or None
        return await _close(runtime, row, "confirmed", message, sent_lines=send)
    return await _wait(runtime, row, outcome)


async def _push_shipment(client, row, send, tracking, fulfillment) -> str:
    shipment = {
        "order_id": row["order_id"],
        "shipment_lines": [{"order_line_id": line_id, "quantity": quantity} for line_id, quantity in send.items()],
        "tracking": {
            **tracking,
            **({"tracking_url": fulfillment["tracking_url"]} if fulfillment.get("tracking_url") else {}),
        },
        "shipped": True,
    }
    shipment["tracking"].pop("carrier_url", None)
    result = await shipments_api.create_shipments(client, [shipment])
    if result["shipment_errors"]:
        message = "; ".join(str(error.get("message")) for error in result["shipment_errors"])
        if "SHIPPING" in message:
            return f"order is not ready to ship: {message}"
        raise MiraklApiError(f"ST01 rejected the shipment: {message}", status_code=422, body=str(result))
    return "confirmed"


async def _push_tracking_and_ship(runtime, client, row, state, tracking, fully_shipped) -> str:
    if state in FULFILLED_STATES:
        return "confirmed"  # already shipped on Mirakl: nothing to send twice
    if state != "SHIPPING":
        return f"order is {state}; Mirakl accepts tracking and shipping only in SHIPPING"
    if not row["tracking_sent"]:
        await orders_api.update_tracking(client, row["order_id"], tracking)
        async with runtime.pool.acquire() as connection:
            await connection.execute(
                "UPDATE fulfillments SET tracking_sent = true WHERE fulfillment_id = $1", row["fulfillment_id"]
            )
    if fully_shipped:
        await orders_api.ship_order(client, row["order_id"])
    # NOTE: without multi-shipment Mirakl keeps one tracking number per order, so
    # a partial shipment only updates the tracking and OR24 waits for the last part.
    return "confirmed"


async def _wait(runtime: ServiceRuntime, row: asyncpg.Record, message: str) -> str:
    settings = runtime.settings
    attempts = row["attempts"] + 1
    if attempts >= settings.max_action_attempts * 4:
        return await _close(runtime, row, "failed", f"gave up after {attempts} attempts: {message}")
    delay = timedelta(seconds=min(settings.retry_delay_seconds * 2 ** min(attempts - 1, 10), 3600))
    async with runtime.pool.acquire() as connection, connection.transaction():
        await connection.execute(
            "UPDATE fulfillments SET status = 'waiting', attempts = $2, last_error = $3, next_attempt_at = $4, "
            "updated_at = now() WHERE fulfillment_id = $1",
            row["fulfillment_id"],
            attempts,
            message,
            datetime.now(UTC) + delay,
        )
        if row["status"] == "pending":
            await _publish_result(runtime, connection, row, "waiting", message)
    logger.info("fulfillment waits: %s", message, extra={"fulfillment_id": row["fulfillment_id"]})
    return "waiting"


async def _close(
    runtime: ServiceRuntime,
    row: asyncpg.Record,
    status: str,
    message: str | None,
    sent_lines: dict[str, int] | None = None,
) -> str:
    async with runtime.pool.acquire() as connection, connection.transaction():
        payload = dict(row["payload"])
        if sent_lines is not None:
            payload["sent_lines"] = [
                {"line_id": line_id, "quantity": quantity} for line_id, quantity in sent_lines.items()
            ]
        await connection.execute(
            "UPDATE fulfillments SET status = $2, last_error = $3, payload = $4, updated_at = now() "
            "WHERE fulfillment_id = $1",
            row["fulfillment_id"],
            status,
            message if status != "confirmed" else None,
            payload,
        )
        if status == "failed":
            await repository.record_error(connection, row["integration_id"], JOB, message or "fulfillment failed")
        await _publish_result(runtime, connection, row, status, message)
    return status


async def _publish_result(runtime, connection, row, status: str, message: str | None) -> None:
    event = runtime.event(
        type="fulfillment.channel_result",
        payload={
            "fulfillment_id": row["fulfillment_id"],
            "integration_id": row["integration_id"],
            "external_order_id": row["order_id"],
            "status": status,
            "message": message,
        },
        account_id=row["account_id"],
        key=entity_key(row["account_id"], f"{row['integration_id']}:{row['order_id']}"),
        integration_id=row["integration_id"],
    )
    await runtime.publish(connection, event)
