"""Connecting a shop: code exchange, shop and warehouse lookup, webhook subscription."""

import logging
from urllib.parse import urlsplit

from crossdock_tiktok_connector.adapters import repository
from crossdock_tiktok_connector.adapters.errors import TikTokApiError
from crossdock_tiktok_connector.domain.settings import IntegrationSettings
from crossdock_tiktok_connector.service.integrations import Connector
from crossdock_tiktok_connector.service.webhooks import SUBSCRIBED_EVENT_TYPES

logger = logging.getLogger(__name__)


async def connect(connector: Connector, integration_id: str, code: str):
    """Exchange `code` for tokens and make the integration connected to its shop; return the row."""
    async with connector.app_client(integration_id) as client:
        tokens = await client.get_token(code)
    async with connector.pool.acquire() as connection, connection.transaction():
        await connector.store_tokens(connection, integration_id, tokens)

    async with connector.pool.acquire() as connection:
        row = await repository.integration(connection, integration_id)
    async with connector.shop_client(row) as client:
        shops = await client.authorized_shops()
    settings = IntegrationSettings.model_validate(row["settings"])
    shop = next((s for s in shops if s["id"] == settings.shopId), shops[0] if shops else None)
    if shop is None:
        raise TikTokApiError(
            "the authorization covers no shop; authorize with a seller account that has a shop", code=0
        )

    async with connector.pool.acquire() as connection:
        await repository.update_integration(connection, integration_id, authorized_shops=shops, shop=shop)
        row = await repository.integration(connection, integration_id)
    async with connector.shop_client(row) as client:
        warehouses = [w for w in await client.warehouses() if w.get("type") == "SALES_WAREHOUSE"]
        subscriptions, warning = await _subscribe(connector, client)

    async with connector.pool.acquire() as connection, connection.transaction():
        await repository.update_integration(
            connection,
            integration_id,
            warehouses=[
                {"id": w["id"], "name": w.get("name", ""), "is_default": w.get("is_default", False)} for w in warehouses
            ],
            webhook_subscriptions=subscriptions,
            webhook_warning=warning,
            status="connected",
            last_error=None,
        )
        await connector.publish_integration(connection, integration_id)
        row = await repository.integration(connection, integration_id)
    logger.info("shop %s (%s) connected", shop["id"], shop.get("region"), extra={"integration_id": integration_id})
    return row


async def _subscribe(connector: Connector, client) -> tuple[list[str], str | None]:
    address = connector.settings.tiktok_public_webhook_url
    if not address:
        return [], "no public webhook URL configured; orders arrive by polling only"
    warning = webhook_address_warning(address)
    if warning:
        logger.warning(warning)
    subscribed = []
    for event_type in SUBSCRIBED_EVENT_TYPES:
        await client.subscribe_webhook(event_type, address)
        subscribed.append(event_type)
    return subscribed, warning


def webhook_address_warning(address: str) -> str | None:
    """Explain why TikTok would reject `address` (it needs https on a domain without a port), or return None."""
    parts = urlsplit(address)
    host = parts.hostname or ""
    if parts.scheme != "https" or parts.port or not host or host.replace(".", "").isdigit() or host == "localhost":
        return f"TikTok accepts only https webhook URLs on a domain without a port; {address!r} works only with the sandbox"
    return None
