"""Webhook intake: verified notifications are stored once (by `tts_notification_id`) and processed later."""

import logging
from typing import Any

from crossdock_tiktok_connector.adapters import repository
from crossdock_tiktok_connector.service.integrations import Connector
from crossdock_tiktok_connector.service.orders import ingest_orders

logger = logging.getLogger(__name__)

ORDER_STATUS_CHANGE = 1
RECIPIENT_ADDRESS_UPDATE = 3
PACKAGE_UPDATE = 4
SELLER_DEAUTHORIZATION = 6
UPCOMING_AUTHORIZATION_EXPIRATION = 7
CANCELLATION_STATUS_CHANGE = 11

SUBSCRIBED_EVENT_TYPES = (
    "ORDER_STATUS_CHANGE",
    "RECIPIENT_ADDRESS_UPDATE",
    "PACKAGE_UPDATE",
    "SELLER_DEAUTHORIZATION",
    "UPCOMING_AUTHORIZATION_EXPIRATION",
    "CANCELLATION_STATUS_CHANGE",
)


async def store_notification(connector: Connector, body: dict[str, Any]) -> bool:
    """Queue one notification; return False when its `tts_notification_id` was already received."""
    shop_id = str(body.get("shop_id") or "")
    async with connector.pool.acquire() as connection:
        matches = await repository.integration_by_shop(connection, shop_id) if shop_id else []
        inserted = await connection.fetchval(
            "INSERT INTO webhook_notifications (notification_id, integration_id, shop_id, type, body) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (notification_id) DO NOTHING RETURNING true",
            str(body["tts_notification_id"]),
            matches[0]["id"] if matches else None,
            shop_id,
            int(body.get("type") or 0),
            body,
        )
    return bool(inserted)


async def process_notifications(connector: Connector, integration_id: str) -> int:
    """Handle the queued notifications of one integration, fetching each changed order once per round.

    A deauthorization sets status `error` with the re-authorization message. The caller owns the sync lock.
    """
    async with connector.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT notification_id, integration_id, type, body FROM webhook_notifications "
            "WHERE processed_at IS NULL AND integration_id = $1 ORDER BY received_at LIMIT 500",
            integration_id,
        )
    by_integration: dict[str, list[Any]] = {}
    for row in rows:
        by_integration.setdefault(row["integration_id"], []).append(row)

    for integration_id, notifications in by_integration.items():
        error = None
        try:
            await _handle(connector, integration_id, notifications)
        except Exception as failure:  # noqa: BLE001 - recorded on the notifications, retried next round
            logger.exception("webhook processing failed", extra={"integration_id": integration_id})
            error = f"{type(failure).__name__}: {failure}"
        async with connector.pool.acquire() as connection:
            await connection.execute(
                "UPDATE webhook_notifications SET processed_at = CASE WHEN $2::text IS NULL THEN now() END, error = $2 "
                "WHERE notification_id = ANY($1::text[])",
                [n["notification_id"] for n in notifications],
                error,
            )
    return len(rows)


async def _handle(connector: Connector, integration_id: str, notifications: list[Any]) -> None:
    order_ids: list[str] = []
    for notification in notifications:
        kind, data = notification["type"], notification["body"].get("data") or {}
        if kind == SELLER_DEAUTHORIZATION:
            await connector.require_reauthorization(
                integration_id, data.get("message") or "the seller deauthorized the app"
            )
            return
        if kind == UPCOMING_AUTHORIZATION_EXPIRATION:
            logger.warning(
                "TikTok authorization expires at %s; re-authorize the TikTok Shop app",
                data.get("expiration_time"),
                extra={"integration_id": integration_id},
            )
        elif kind in (ORDER_STATUS_CHANGE, RECIPIENT_ADDRESS_UPDATE, CANCELLATION_STATUS_CHANGE) and data.get(
            "order_id"
        ):
            order_ids.append(str(data["order_id"]))
        elif kind == PACKAGE_UPDATE:
            for package in data.get("package_list") or []:
                order_ids.extend(str(order_id) for order_id in package.get("order_id_list") or [])

    unique = list(dict.fromkeys(order_ids))
    if not unique:
        return
    async with connector.pool.acquire() as connection:
        row = await repository.integration(connection, integration_id)
    if row["status"] != "connected":
        return
    async with connector.shop_client(row) as client:
        await ingest_orders(connector, client, row, unique)
