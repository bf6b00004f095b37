"""This service's projections of integrations, products, locations and stock, built from their events."""

import asyncpg
from crossdock_common.events import EventEnvelope

from crossdock_order_routing.domain.release import DEFAULT_HOLD_MINUTES


async def apply_integration(connection: asyncpg.Connection, event: EventEnvelope) -> bool:
    """Store a channel integration's settings; return False for HTTP-3PL events, which this service owns."""
    payload = event.payload
    if payload.type == "http_3pl":
        return False
    await connection.execute(
        "INSERT INTO channel_integrations (account_id, integration_id, type, name, "
        "status, settings, deleted, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, false, now()) "
        "ON CONFLICT (account_id, integration_id) DO UPDATE SET type = EXCLUDED.type, name = EXCLUDED.name, "
        "status = EXCLUDED.status, settings = EXCLUDED.settings, deleted = false, updated_at = now()",
        event.account_id,
        payload.integration_id,
        payload.type,
        payload.name,
        payload.status,
        payload.settings,
    )
    return True


async def apply_integration_deleted(connection: asyncpg.Connection, event: EventEnvelope) -> None:
    await connection.execute(
        "UPDATE channel_integrations SET deleted = true, updated_at = now() WHERE "
        "account_id = $1 AND integration_id = $2",
        event.account_id,
        event.payload.integration_id,
    )


async def apply_product(connection: asyncpg.Connection, event: EventEnvelope) -> None:
    """Store a master product and rebuild its SKU mappings.

    A channel SKU maps to the master SKU through the product's channel options
    (`channel_sku`) and channel links. Identity (channel SKU = master SKU) is
    resolved at lookup time, see `resolve_master_sku`.
    """
    product = event.payload
    account_id = event.account_id
    await connection.execute(
        "INSERT INTO products (account_id, sku, status, updated_at) VALUES ($1, $2, $3, now()) "
        "ON CONFLICT (account_id, sku) DO UPDATE SET status = EXCLUDED.status, updated_at = now()",
        account_id,
        product.sku,
        product.status,
    )
    await connection.execute(
        "DELETE FROM sku_mappings WHERE account_id = $1 AND master_sku = $2", account_id, product.sku
    )
    pairs = {(option.integration_id, option.channel_sku) for option in product.channel_options if option.channel_sku}
    pairs |= {(link.integration_id, link.channel_sku) for link in product.channel_links}
    if pairs:
        await connection.executemany(
            "INSERT INTO sku_mappings (account_id, integration_id, channel_sku, master_sku) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT DO NOTHING",
            [(account_id, integration_id, channel_sku, product.sku) for integration_id, channel_sku in pairs],
        )


async def apply_product_deleted(connection: asyncpg.Connection, event: EventEnvelope) -> None:
    await connection.execute(
        "UPDATE products SET status = 'deleted', updated_at = now() WHERE account_id = $1 AND sku = $2",
        event.account_id,
        event.payload.sku,
    )
    await connection.execute(
        "DELETE FROM sku_mappings WHERE account_id = $1 AND master_sku = $2", event.account_id, event.payload.sku
    )


async def resolve_master_sku(
    connection: asyncpg.Connection, *, account_id: str, integration_id: str, channel_sku: str
) -> str | None:
    """Return the master SKU of a channel SKU on one integration, or None when the catalog has no match.

    An explicit mapping wins. Otherwise the channel SKU resolves to the master
    product with exactly that SKU, unless that product sets another channel SKU
    for this integration. Matching is exact: case and spaces count.
    """
    mapped = await connection.fetchval(
        "SELECT m.master_sku FROM sku_mappings m JOIN products p ON p.account_id = "
        "m.account_id AND p.sku = m.master_sku "
        "WHERE m.account_id = $1 AND m.integration_id = $2 AND m.channel_sku = $3 AND p.status <> 'deleted' "
        "ORDER BY m.master_sku LIMIT 1",
        account_id,
        integration_id,
        channel_sku,
    )
    if mapped is not None:
        return mapped
    return await connection.fetchval(
        "SELECT p.sku FROM products p WHERE p.account_id = $1 AND p.sku = $3 AND p.status <> 'deleted' "
        "AND NOT EXISTS (SELECT 1 FROM sku_mappings m WHERE m.account_id = p.account_id AND m.master_sku = p.sku "
        "AND m.integration_id = $2 AND m.channel_sku <> p.sku)",
        account_id,
        integration_id,
        channel_sku,
    )


async def apply_location(connection: asyncpg.Connection, event: EventEnvelope) -> None:
    location = event.payload
    await connection.execute(
        "INSERT INTO locations (account_id, location_id, name, status, fulfillment_integration_id, "
        "source_integration_id, external_code, priority, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) "
        "ON CONFLICT (account_id, location_id) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status, "
        "fulfillment_integration_id = EXCLUDED.fulfillment_integration_id, "
        "source_integration_id = EXCLUDED.source_integration_id, external_code = EXCLUDED.external_code, "
        "priority = EXCLUDED.priority, updated_at = now()",
        event.account_id,
        location.location_id,
        location.name,
        location.status,
        location.fulfillment_integration_id,
        location.source_integration_id,
        location.external_code,
        location.priority,
    )


async def apply_stock(connection: asyncpg.Connection, event: EventEnvelope) -> None:
    stock = event.payload
    await connection.execute(
        "INSERT INTO stock_levels (account_id, sku, location_id, available, updated_at) VALUES ($1, $2, $3, $4, now()) "
        "ON CONFLICT (account_id, sku, location_id) DO UPDATE SET available = EXCLUDED.available, updated_at = now()",
        event.account_id,
        stock.sku,
        stock.location_id,
        stock.available,
    )


async def channel_settings(connection: asyncpg.Connection, account_id: str, integration_id: str) -> dict:
    """Return the projected settings of a channel integration, or {} when no event about it arrived yet."""
    settings = await connection.fetchval(
        "SELECT settings FROM channel_integrations WHERE account_id = $1 AND integration_id = $2",
        account_id,
        integration_id,
    )
    return dict(settings or {})


def hold_minutes(settings: dict) -> int:
    value = settings.get("holdMinutes", DEFAULT_HOLD_MINUTES)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else DEFAULT_HOLD_MINUTES
