"""Inventory's own copies of data other services own: integrations and master products."""

import asyncpg
from crossdock_common.events import EventEnvelope

from crossdock_inventory.service_layer.stock import mark_account_dirty, mark_dirty


async def apply_integration(connection: asyncpg.Connection, event: EventEnvelope) -> None:
    """Store an integration's settings and queue every product, because any change can move availability."""
    payload = event.payload
    await connection.execute(
        "INSERT INTO integrations (account_id, integration_id, type, name, status, settings) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, integration_id) DO UPDATE "
        "SET type = EXCLUDED.type, name = EXCLUDED.name, status = EXCLUDED.status, settings = EXCLUDED.settings, "
        "deleted = false, updated_at = now()",
        event.account_id,
        payload.integration_id,
        payload.type,
        payload.name,
        payload.status,
        payload.settings,
    )
    if payload.type != "http_3pl":
        await mark_account_dirty(connection, event.account_id)


async def delete_integration(connection: asyncpg.Connection, event: EventEnvelope) -> None:
    await connection.execute(
        "UPDATE integrations SET deleted = true, updated_at = now() WHERE account_id = $1 AND integration_id = $2",
        event.account_id,
        event.payload.integration_id,
    )


async def apply_product(connection: asyncpg.Connection, event: EventEnvelope) -> None:
    """Store a master product's status and channel options, and queue its availability.

    An event older than the stored one (by the product's `updated_at`) is ignored,
    so a redelivered old event cannot undo a newer buffer or sync setting.
    """
    payload = event.payload
    options = [option.model_dump(mode="json") for option in payload.channel_options]
    applied = await connection.fetchval(
        "INSERT INTO products (account_id, sku, status, channel_options, source_updated_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, sku) DO UPDATE "
        "SET status = EXCLUDED.status, channel_options = EXCLUDED.channel_options, "
        "source_updated_at = EXCLUDED.source_updated_at, updated_at = now() "
        "WHERE products.source_updated_at IS NULL OR EXCLUDED.source_updated_at IS NULL "
        "OR EXCLUDED.source_updated_at >= products.source_updated_at "
        "RETURNING true",
        event.account_id,
        payload.sku,
        payload.status,
        options,
        payload.updated_at,
    )
    if applied:
        await mark_dirty(connection, event.account_id, [payload.sku])


async def delete_product(connection: asyncpg.Connection, event: EventEnvelope) -> None:
    await connection.execute(
        "UPDATE products SET status = 'deleted', updated_at = now() WHERE account_id = $1 AND sku = $2",
        event.account_id,
        event.payload.sku,
    )
