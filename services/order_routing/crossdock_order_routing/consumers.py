"""Kafka entry point: applies the events order routing consumes."""

import asyncpg
from crossdock_common.events import EventEnvelope, topics
from crossdock_common.service import ConsumerSpec, ServiceRuntime

from crossdock_order_routing.service_layer import commands, ingest, projections
from crossdock_order_routing.service_layer.reevaluation import STALLED, STALLED_FOR_STOCK, UNRESOLVED, reevaluate

CONSUMED_TYPES = frozenset(
    {
        "order.received",
        "order.updated",
        "product.upserted",
        "product.deleted",
        "location.upserted",
        "stock.changed",
        "integration.upserted",
        "integration.deleted",
        "command.result",
    }
)


def build_handler(runtime: ServiceRuntime):
    """Return the handler of the `order_routing` consumer group."""

    async def handle(connection: asyncpg.Connection, event: EventEnvelope) -> None:
        account_id = event.account_id
        match event.type:
            case "order.received" | "order.updated":
                await ingest.apply_channel_order(runtime, connection, event)
            case "product.upserted":
                await projections.apply_product(connection, event)
                await reevaluate(runtime, connection, account_id=account_id, where=UNRESOLVED, cause=event)
            case "product.deleted":
                await projections.apply_product_deleted(connection, event)
            case "location.upserted":
                await projections.apply_location(connection, event)
                await reevaluate(runtime, connection, account_id=account_id, where=STALLED, cause=event)
            case "stock.changed":
                await projections.apply_stock(connection, event)
                await reevaluate(runtime, connection, account_id=account_id, where=STALLED_FOR_STOCK, cause=event)
            case "integration.upserted":
                if await projections.apply_integration(connection, event):
                    await reevaluate(
                        runtime,
                        connection,
                        account_id=account_id,
                        where="o.integration_id = $2",
                        arguments=(event.payload.integration_id,),
                        cause=event,
                    )
            case "integration.deleted":
                if event.payload.type != "http_3pl":
                    await projections.apply_integration_deleted(connection, event)
            case "command.result":
                await commands.apply_command_result(connection, event)

    return handle


CONSUMER = ConsumerSpec(
    group="order_routing",
    topics=[topics.ORDERS, topics.PRODUCTS, topics.LOCATIONS, topics.INVENTORY, topics.INTEGRATIONS, topics.COMMANDS],
    handler=build_handler,
    wants=lambda event_type: event_type in CONSUMED_TYPES,
)
