"""Order commands for TikTok orders: seller cancellation through the cancellation API."""

import logging

from crossdock_common.events import entity_key

from crossdock_tiktok_connector.adapters import repository
from crossdock_tiktok_connector.adapters.errors import TikTokApiError
from crossdock_tiktok_connector.domain.orders import unit_lines
from crossdock_tiktok_connector.service.integrations import Connector
from crossdock_tiktok_connector.service.orders import record_order

logger = logging.getLogger(__name__)


async def run_command(connector: Connector, command_id: str) -> None:
    """Execute one recorded cancel command and publish `command.result`."""
    async with connector.pool.acquire() as connection:
        command = await connection.fetchrow("SELECT * FROM commands WHERE command_id = $1", command_id)
        row = await repository.integration(connection, command["integration_id"])
    payload = command["payload"]
    order_id = payload["external_id"]

    status, message = "succeeded", None
    try:
        async with connector.shop_client(row) as client:
            order = (await client.order_details([order_id]))[0]
            unit_ids = None
            if payload.get("line_ids"):
                wanted = set(payload["line_ids"])
                unit_ids = [u.id for u in unit_lines(order) if u.sku_id in wanted and not u.cancelled]
            reason = payload.get("reason_code") or payload.get("reason") or "seller_cancel"
            await client.cancel_order(order_id, reason, unit_ids)
            refreshed = (await client.order_details([order_id]))[0]
        await record_order(connector, row, refreshed)
    except TikTokApiError as error:
        status, message = "failed", str(error)
        logger.warning("cancel of order %s failed: %s", order_id, error, extra={"integration_id": row["id"]})

    async with connector.pool.acquire() as connection, connection.transaction():
        await connection.execute(
            "UPDATE commands SET status = $2, message = $3, updated_at = now() WHERE command_id = $1",
            command_id,
            status,
            message,
        )
        await publish_result(connector, connection, command, status, message)


async def publish_result(connector: Connector, connection, command, status: str, message: str | None) -> None:
    event = connector.runtime.event(
        type="command.result",
        payload={
            "command_id": command["command_id"],
            "command_type": command["command_type"],
            "integration_id": command["integration_id"],
            "status": status,
            "message": message,
        },
        account_id=command["account_id"],
        key=entity_key(command["account_id"], f"tiktok:{command['payload']['external_id']}"),
        integration_id=command["integration_id"],
    )
    await connector.runtime.publish(connection, event)
