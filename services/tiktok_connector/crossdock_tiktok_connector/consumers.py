"""Kafka entry points: catalog projection, availability, fulfillments and order commands for TikTok integrations."""

import logging

from crossdock_common.events import EventEnvelope, topics
from crossdock_common.service import ConsumerSpec, ServiceRuntime

from crossdock_tiktok_connector.service import commands, inventory, product_push, worker

logger = logging.getLogger(__name__)

WANTED = {
    "catalog.settings_changed",
    "product.upserted",
    "availability.changed",
    "fulfillment.created",
    "command.order.cancel",
    "command.order.accept",
    "command.order.refuse",
}


def handler(runtime: ServiceRuntime):
    from crossdock_tiktok_connector.service.integrations import Connector

    connector = Connector(runtime)

    async def handle(connection, event: EventEnvelope) -> None:
        payload = event.payload
        if event.type == "catalog.settings_changed":
            await connection.execute(
                "INSERT INTO catalog_settings (account_id, catalog_source) VALUES ($1, $2) "
                "ON CONFLICT (account_id) DO UPDATE SET catalog_source = EXCLUDED.catalog_source",
                event.account_id,
                payload.catalog_source,
            )
            return
        if event.type == "product.upserted":
            await connection.execute(
                "INSERT INTO master_skus (account_id, sku, product) VALUES ($1, $2, $3) "
                "ON CONFLICT (account_id, sku) DO UPDATE SET product = EXCLUDED.product",
                event.account_id,
                payload.sku,
                payload.model_dump(mode="json"),
            )
            if await product_push.mark_changed(runtime, connection, account_id=event.account_id, product=payload):
                worker.wake(runtime)
            return

        integration_id = payload.integration_id
        owned = await connection.fetchval(
            "SELECT true FROM integrations WHERE id = $1 AND account_id = $2", integration_id, event.account_id
        )
        if not owned:
            return
        if event.type == "availability.changed":
            await inventory.record_availability(
                connection,
                integration_id=integration_id,
                sku=payload.channel_sku,
                warehouse_id=payload.channel_warehouse_id,
                quantity=payload.quantity,
                wanted_at=event.occurred_at,
            )
        elif event.type == "fulfillment.created":
            await connection.execute(
                "INSERT INTO fulfillments (fulfillment_id, integration_id, account_id, order_id, payload) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (fulfillment_id) DO NOTHING",
                payload.fulfillment_id,
                integration_id,
                event.account_id,
                payload.external_order_id,
                payload.model_dump(mode="json"),
            )
        elif event.type == "command.order.cancel":
            await connection.execute(
                "INSERT INTO commands (command_id, integration_id, account_id, command_type, payload) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (command_id) DO NOTHING",
                payload.command_id,
                integration_id,
                event.account_id,
                event.type,
                payload.model_dump(mode="json"),
            )
        else:
            command = {
                "command_id": payload.command_id,
                "command_type": event.type,
                "integration_id": integration_id,
                "account_id": event.account_id,
                "payload": payload.model_dump(mode="json"),
            }
            await commands.publish_result(
                connector, connection, command, "rejected", "TikTok orders need no acceptance or refusal; use cancel"
            )
            return
        worker.wake(runtime)

    return handle


CONSUMERS = [
    ConsumerSpec(
        group="tiktok_connector",
        topics=[topics.PRODUCTS, topics.INVENTORY, topics.FULFILLMENTS, topics.COMMANDS],
        handler=handler,
        wants=lambda event_type: event_type in WANTED,
    )
]
