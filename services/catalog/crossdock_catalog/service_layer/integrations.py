"""Keep the projection of integrations that channel options and channelSku support depend on."""

import logging

import asyncpg
from crossdock_common.events import EventEnvelope
from crossdock_common.service import ServiceRuntime

from crossdock_catalog.adapters import repository
from crossdock_catalog.service_layer.publishing import Changes, publish_changes

logger = logging.getLogger(__name__)


async def apply_integration_upserted(connection: asyncpg.Connection, event: EventEnvelope) -> None:
    """Record a new or changed integration; its channel-options rows use the defaults until set.

    NOTE: masters are not republished when an integration appears, so their next
    `product.upserted` is the first to list its channel-options row. Connectors
    treat a missing row as the defaults (sync on, buffer 0, identity SKU).
    """
    await repository.lock_account(connection, event.account_id)
    await repository.upsert_integration(connection, event.account_id, event.payload)


async def apply_integration_deleted(
    connection: asyncpg.Connection, runtime: ServiceRuntime, event: EventEnvelope
) -> None:
    """Forget a removed integration: drop its channel options and channel products, republishing affected masters."""
    account_id = event.account_id
    integration_id = event.payload.integration_id
    await repository.lock_account(connection, account_id)
    await repository.mark_integration_deleted(connection, account_id, integration_id, event.payload.type)

    changes = Changes()
    changes.touch(*await repository.delete_options_of_integration(connection, account_id, integration_id))
    changes.touch(*await repository.delete_channel_products_of_integration(connection, account_id, integration_id))
    await publish_changes(connection, runtime, account_id, changes, cause=event)
    logger.info(
        "integration removed from catalog",
        extra={"account_id": account_id, "integration_id": integration_id, "products": len(changes.upserted)},
    )
