"""Commands to the order's connector (accept, refuse, cancel on the channel) and their results."""

import asyncpg
from crossdock_common.events import EventEnvelope
from crossdock_common.service import ServiceRuntime

from crossdock_order_routing.service_layer.records import add_history, new_id, order_key


async def send_order_command(
    runtime: ServiceRuntime,
    connection: asyncpg.Connection,
    order: asyncpg.Record,
    *,
    command_type: str,
    requested_by: str,
    reason: str | None,
    reason_code: str | None = None,
    cause: EventEnvelope | None = None,
) -> str:
    """Record and publish one order command for the order's connector; return the command id."""
    command_id = new_id("cmd")
    await connection.execute(
        "INSERT INTO order_commands (command_id, order_id, command_type, requested_by) VALUES ($1, $2, $3, $4)",
        command_id,
        order["order_id"],
        command_type,
        requested_by,
    )
    event = runtime.event(
        type=command_type,
        payload={
            "command_id": command_id,
            "integration_id": order["integration_id"],
            "channel": order["channel"],
            "external_id": order["external_id"],
            "line_ids": None,
            "reason_code": reason_code,
            "reason": reason,
            "requested_by": requested_by,
        },
        account_id=order["account_id"],
        key=order_key(order["account_id"], order["integration_id"], order["external_id"]),
        integration_id=order["integration_id"],
        cause=cause,
    )
    await runtime.publish(connection, event)
    await add_history(
        connection,
        order["order_id"],
        kind="command",
        detail=f"{command_type} {command_id} sent by {requested_by}" + (f": {reason}" if reason else ""),
    )
    return command_id


async def apply_command_result(connection: asyncpg.Connection, event: EventEnvelope) -> None:
    """Record what became of a command this service sent; results of other services' commands are ignored."""
    result = event.payload
    order_id = await connection.fetchval(
        "UPDATE order_commands SET status = $2, message = $3, updated_at = now() "
        "WHERE command_id = $1 RETURNING order_id",
        result.command_id,
        result.status,
        result.message,
    )
    if order_id is None:
        return
    await add_history(
        connection,
        order_id,
        kind="command_result",
        detail=f"{result.command_type} {result.command_id} {result.status}"
        + (f": {result.message}" if result.message else ""),
        event=event,
    )
