"""Kafka entrypoint: catalog projections, availability, fulfillments and order commands for Mirakl integrations."""

import logging

import asyncpg
from crossdock_common.events import EventEnvelope, topics
from crossdock_common.service import ConsumerSpec, ServiceRuntime

from crossdock_mirakl_connector.adapters import repository
from crossdock_mirakl_connector.service_layer import commands, fulfillments, inventory, products

logger = logging.getLogger(__name__)

ORDER_COMMANDS = {"command.order.accept": "accept", "command.order.refuse": "refuse", "command.order.cancel": "cancel"}
WANTED = {
    "product.upserted",
    "product.deleted",
    "catalog.settings_changed",
    "availability.changed",
    "fulfillment.created",
    *ORDER_COMMANDS,
}


async def _record_order_command(connection: asyncpg.Connection, event: EventEnvelope) -> None:
    command = event.payload
    if command.channel != "mirakl":
        return
    integration = await repository.load_integration(connection, command.integration_id)
    if integration is None or integration["account_id"] != event.account_id:
        return
    await commands.record_command(
        connection,
        command_id=command.command_id,
        command_type=ORDER_COMMANDS[event.type],
        integration=integration,
        order_id=command.external_id,
        line_ids=command.line_ids,
        reason_code=command.reason_code,
        requested_by=command.requested_by,
    )


def handler(runtime: ServiceRuntime):
    async def handle(connection: asyncpg.Connection, event: EventEnvelope) -> None:
        if event.type == "product.upserted":
            await products.apply_product(connection, event)
        elif event.type == "product.deleted":
            await products.delete_product(connection, event)
        elif event.type == "catalog.settings_changed":
            await connection.execute(
                "INSERT INTO catalog_sources (account_id, catalog_source) VALUES ($1, $2) ON CONFLICT (account_id) "
                "DO UPDATE SET catalog_source = EXCLUDED.catalog_source, updated_at = now()",
                event.account_id,
                event.payload.catalog_source,
            )
        elif event.type == "availability.changed":
            await inventory.apply_availability(runtime, connection, event)
        elif event.type == "fulfillment.created":
            await fulfillments.record(connection, event)
        elif event.type in ORDER_COMMANDS:
            await _record_order_command(connection, event)

    return handle


CONSUMER = ConsumerSpec(
    group="mirakl_connector",
    topics=[topics.PRODUCTS, topics.INVENTORY, topics.FULFILLMENTS, topics.COMMANDS],
    handler=handler,
    wants=lambda event_type: event_type in WANTED,
)
