"""Kafka entry points: channel product upserts and integration events."""

import logging

import asyncpg
from crossdock_common.events import EventEnvelope, topics
from crossdock_common.logging import log_context
from crossdock_common.service import ConsumerSpec, ServiceRuntime

from crossdock_catalog.service_layer.integrations import apply_integration_deleted, apply_integration_upserted
from crossdock_catalog.service_layer.linking import apply_channel_product
from crossdock_catalog.service_layer.publishing import Changes, publish_changes

logger = logging.getLogger(__name__)

CONSUMED_TYPES = frozenset({"channel_product.upserted", "integration.upserted", "integration.deleted"})


def build_handler(runtime: ServiceRuntime):
    async def handle(connection: asyncpg.Connection, event: EventEnvelope) -> None:
        with log_context(account_id=event.account_id, event_id=str(event.event_id)):
            if event.type == "channel_product.upserted":
                changes = Changes()
                await apply_channel_product(connection, event.account_id, event.payload, changes)
                await publish_changes(connection, runtime, event.account_id, changes, cause=event)
            elif event.type == "integration.upserted":
                await apply_integration_upserted(connection, event)
            elif event.type == "integration.deleted":
                await apply_integration_deleted(connection, runtime, event)

    return handle


CONSUMERS = [
    ConsumerSpec(
        group="catalog",
        topics=[topics.CHANNEL_PRODUCTS, topics.INTEGRATIONS],
        handler=build_handler,
        wants=lambda event_type: event_type in CONSUMED_TYPES,
    )
]
