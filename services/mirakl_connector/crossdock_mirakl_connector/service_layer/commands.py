"""Accept, refuse and cancel on Mirakl (OR21, OR29, OR30), from commands, the API or auto-accept.

Requests are stored in `order_commands` first and done by the command job, so a
consumer never waits on Mirakl and a crash loses nothing. Each request ends as
`succeeded`, `failed` or `rejected`, answered with `command.result`; the order
itself changes on the next pull and is published as `order.updated`.
"""

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
from crossdock_common.events import entity_key
from crossdock_common.http import ClientError
from crossdock_common.service import ServiceRuntime

from crossdock_mirakl_connector.adapters import repository
from crossdock_mirakl_connector.adapters.mirakl import orders as orders_api
from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient
from crossdock_mirakl_connector.adapters.mirakl.errors import MiraklApiError
from crossdock_mirakl_connector.domain.orders import AWAITING_ACCEPTANCE_STATES

logger = logging.getLogger(__name__)

JOB = "commands"
COMMAND_TYPES = {"accept": "command.order.accept", "refuse": "command.order.refuse", "cancel": "command.order.cancel"}
BATCH = 20


class CommandRejected(Exception):
    """The command can never succeed as given (unknown lines, missing reason code, wrong state)."""


async def record_command(
    connection: asyncpg.Connection,
    *,
    command_id: str,
    command_type: str,
    integration: asyncpg.Record,
    order_id: str,
    line_ids: list[str] | None,
    reason_code: str | None,
    requested_by: str,
) -> bool:
    """Store a command once; return False when the id was already stored."""
    inserted = await connection.fetchval(
        "INSERT INTO order_commands (command_id, command_type, integration_id, account_id, order_id, line_ids, "
        "reason_code, requested_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (command_id) DO NOTHING RETURNING true",
        command_id,
        command_type,
        integration["integration_id"],
        integration["account_id"],
        order_id,
        line_ids,
        reason_code,
        requested_by,
    )
    return bool(inserted)


async def queue_auto_accept(connection: asyncpg.Connection, integration: asyncpg.Record, order_id: str) -> None:
    """Queue the one automatic accept of an order, in the transaction that ingested it."""
    await record_command(
        connection,
        command_id=f"auto-accept:{integration['integration_id']}:{order_id}",
        command_type="accept",
        integration=integration,
        order_id=order_id,
        line_ids=None,
        reason_code=None,
        requested_by="ordersAutoAccept",
    )


async def settle_after_state_change(
    runtime: ServiceRuntime, connection: asyncpg.Connection, integration: asyncpg.Record, order_id: str, canonical
) -> None:
    """Close open accept and refuse requests of an order that left WAITING_ACCEPTANCE on Mirakl."""
    state = canonical.channel_status
    if state in AWAITING_ACCEPTANCE_STATES:
        return
    rows = await connection.fetch(
        "SELECT * FROM order_commands WHERE integration_id = $1 AND order_id = $2 "
        "AND status IN ('pending', 'rechecking') AND command_type IN ('accept', 'refuse') FOR UPDATE",
        integration["integration_id"],
        order_id,
    )
    for row in rows:
        if state in ("CANCELED", "REFUSED"):
            await finish(
                runtime,
                connection,
                row,
                "failed",
                f"order {order_id} is {state} on Mirakl; nothing to {row['command_type']}",
            )
        elif row["command_type"] == "accept":
            await finish(runtime, connection, row, "succeeded", f"order {order_id} is already accepted ({state})")
        else:
            await finish(runtime, connection, row, "failed", f"order {order_id} is already accepted ({state})")
    if state == "CANCELED":
        await connection.execute(
            "UPDATE orders SET acceptance_status = 'cancelled' WHERE integration_id = $1 AND order_id = $2 "
            "AND acceptance_status IS NOT NULL",
            integration["integration_id"],
            order_id,
        )


async def finish(
    runtime: ServiceRuntime, connection: asyncpg.Connection, row: asyncpg.Record, status: str, message: str | None
) -> None:
    """Close a command and publish `command.result`."""
    await connection.execute(
        "UPDATE order_commands SET status = $2, last_error = $3, updated_at = now() WHERE command_id = $1",
        row["command_id"],
        status,
        None if status == "succeeded" else message,
    )
    event = runtime.event(
        type="command.result",
        payload={
            "command_id": row["command_id"],
            "command_type": COMMAND_TYPES[row["command_type"]],
            "integration_id": row["integration_id"],
            "status": status,
            "message": message,
        },
        account_id=row["account_id"],
        key=entity_key(row["account_id"], row["command_id"]),
        integration_id=row["integration_id"],
    )
    await runtime.publish(connection, event)
    if status == "succeeded" and row["command_type"] == "accept":
        await connection.execute(
            "UPDATE orders SET acceptance_status = 'accepted', acceptance_reason = NULL "
            "WHERE integration_id = $1 AND order_id = $2",
            row["integration_id"],
            row["order_id"],
        )


def _decisions(row: asyncpg.Record, raw_order: dict[str, Any]) -> dict[str, bool]:
    line_ids = [str(line["order_line_id"]) for line in raw_order.get("order_lines") or []]
    chosen = set(row["line_ids"] or line_ids)
    unknown = chosen - set(line_ids)
    if unknown:
        raise CommandRejected(f"order {row['order_id']} has no line(s) {sorted(unknown)}; lines are {line_ids}")
    accept = row["command_type"] == "accept"
    # Mirakl wants a decision for every line in one call; lines not named get the opposite decision.
    return {line_id: (line_id in chosen) == accept for line_id in line_ids}


def _cancelations(row: asyncpg.Record, raw_order: dict[str, Any]) -> list[dict[str, Any]]:
    if not row["reason_code"]:
        raise CommandRejected("cancelling lines needs a reason_code from Mirakl's CANCELATION reasons (RE02)")
    lines = {str(line["order_line_id"]): line for line in raw_order.get("order_lines") or []}
    cancelations = []
    for line_id in row["line_ids"]:
        line = lines.get(line_id)
        if line is None:
            raise CommandRejected(f"order {row['order_id']} has no line {line_id!r}")
        already = sum(int(item.get("quantity") or 0) for item in line.get("cancelations") or [])
        quantity = int(line.get("quantity") or 0) - already
        if quantity <= 0:
            raise CommandRejected(f"line {line_id} of order {row['order_id']} is already fully cancelled")
        unit = Decimal(str(line.get("price_unit") or 0))
        shipping = Decimal(str(line.get("shipping_price") or 0))
        cancelations.append(
            {
                "order_line_id": line_id,
                "quantity": quantity,
                "amount": str(unit * quantity),
                "shipping_amount": str(shipping),
                "reason_code": row["reason_code"],
                "currency_iso_code": raw_order.get("currency_iso_code"),
            }
        )
    return cancelations


async def _load_order(connection: asyncpg.Connection, row: asyncpg.Record) -> asyncpg.Record | None:
    return await connection.fetchrow(
        "SELECT * FROM orders WHERE integration_id = $1 AND order_id = $2", row["integration_id"], row["order_id"]
    )


async def process_due(runtime: ServiceRuntime, integration: asyncpg.Record, client: MiraklClient, pull) -> dict:
    """Do due commands of one integration; `pull` is an OrderPull used to re-read an order after a state error."""
    counts = {"orders_accepted": 0, "orders_refused": 0, "orders_cancelled": 0, "command_failures": 0}
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT * FROM order_commands WHERE integration_id = $1 AND status IN ('pending', 'rechecking') "
            "AND next_attempt_at <= now() ORDER BY created_at LIMIT $2",
            integration["integration_id"],
            BATCH,
        )
    for row in rows:
        await _process_one(runtime, integration, client, pull, row, counts)
    return counts


async def _process_one(runtime, integration, client, pull, row, counts) -> None:
    async with runtime.pool.acquire() as connection:
        order = await _load_order(connection, row)
    if order is None:
        # The command may come before the pull ingests the order; try again later.
        await _retry(runtime, row, f"order {row['order_id']} is not in the hub yet", None)
        return
    if order["state"] in ("CANCELED", "REFUSED") or (
        row["command_type"] != "cancel" and order["state"] not in AWAITING_ACCEPTANCE_STATES
    ):
        async with runtime.pool.acquire() as connection, connection.transaction():
            if row["command_type"] == "accept" and order["state"] not in ("CANCELED", "REFUSED"):
                await finish(runtime, connection, row, "succeeded", f"order is already accepted ({order['state']})")
            else:
                await finish(
                    runtime, connection, row, "failed", f"order {row['order_id']} is {order['state']} on Mirakl"
                )
        return

    try:
        if row["command_type"] in ("accept", "refuse"):
            await orders_api.decide_acceptance(client, row["order_id"], _decisions(row, order["raw"]))
        elif row["line_ids"]:
            await orders_api.cancel_lines(client, _cancelations(row, order["raw"]))
        else:
            await orders_api.cancel_order(client, row["order_id"])
    except CommandRejected as error:
        async with runtime.pool.acquire() as connection, connection.transaction():
            await finish(runtime, connection, row, "rejected", str(error))
        counts["command_failures"] += 1
        return
    except MiraklApiError as error:
        counts["command_failures"] += 1
        await _after_mirakl_refusal(runtime, integration, pull, row, error)
        return
    except ClientError as error:
        counts["command_failures"] += 1
        await _retry(runtime, row, str(error), error.body)
        return

    async with runtime.pool.acquire() as connection, connection.transaction():
        await finish(runtime, connection, row, "succeeded", None)
    counts[
        {"accept": "orders_accepted", "refuse": "orders_refused", "cancel": "orders_cancelled"}[row["command_type"]]
    ] += 1
    logger.info("%s done on Mirakl", row["command_type"], extra={"order_id": row["order_id"]})


async def _after_mirakl_refusal(runtime, integration, pull, row, error: MiraklApiError) -> None:
    """Re-read the order after Mirakl refused the action: a state change (e.g. cancelled) settles the command."""
    async with runtime.pool.acquire() as connection:
        await repository.record_error(
            connection,
            row["integration_id"],
            JOB,
            f"{row['command_type']} of order {row['order_id']} failed: {error}",
            error.body,
        )
    if error.status_code == 400 and row["status"] == "pending":
        await connection_update(runtime, row["command_id"], "rechecking", str(error))
        await pull.refresh([row["order_id"]])
        async with runtime.pool.acquire() as connection:
            status = await connection.fetchval(
                "SELECT status FROM order_commands WHERE command_id = $1", row["command_id"]
            )
        if status != "rechecking":
            return  # the re-read settled it (cancelled, refused or accepted elsewhere)
        await _retry(runtime, row, str(error), error.body)
        return
    async with runtime.pool.acquire() as connection, connection.transaction():
        await finish(runtime, connection, row, "failed", f"Mirakl refused the {row['command_type']}: {error}")


async def connection_update(runtime: ServiceRuntime, command_id: str, status: str, message: str) -> None:
    async with runtime.pool.acquire() as connection:
        await connection.execute(
            "UPDATE order_commands SET status = $2, last_error = $3, updated_at = now() WHERE command_id = $1",
            command_id,
            status,
            message,
        )


async def _retry(runtime: ServiceRuntime, row: asyncpg.Record, message: str, body: str | None) -> None:
    """Schedule the next attempt with a doubling delay, or fail the command after the last attempt."""
    settings = runtime.settings
    attempts = row["attempts"] + 1
    async with runtime.pool.acquire() as connection, connection.transaction():
        if attempts >= settings.max_action_attempts:
            await finish(runtime, connection, row, "failed", f"gave up after {attempts} attempts: {message}")
            return
        delay = timedelta(seconds=settings.retry_delay_seconds * 2 ** (attempts - 1))
        await connection.execute(
            "UPDATE order_commands SET attempts = $2, last_error = $3, next_attempt_at = $4, "
            "status = 'pending', updated_at = now() WHERE command_id = $1",
            row["command_id"],
            attempts,
            message,
            datetime.now(UTC) + delay,
        )
    logger.warning("order command will be retried: %s", message, extra={"command_id": row["command_id"]})
