"""Queries on the connector's own schema. Every function takes the connection of the caller's transaction."""

from typing import Any

import asyncpg

INTEGRATION_COLUMNS = """
    id, account_id, name, status, last_error, settings, shop, authorized_shops, warehouses, open_id,
    access_token_enc, access_token_expires_at, refresh_token_enc, refresh_token_expires_at,
    webhook_subscriptions, webhook_warning, orders_cursor, orders_window_end, orders_page_token,
    last_order_pull, last_product_pull, created_at, updated_at
"""


async def integration(
    connection: asyncpg.Connection, integration_id: str, *, account_id: str | None = None, lock: bool = False
) -> asyncpg.Record | None:
    """Return one integration row, scoped to `account_id` when given."""
    query = f"SELECT {INTEGRATION_COLUMNS} FROM integrations WHERE id = $1"
    args: list[Any] = [integration_id]
    if account_id is not None:
        query += " AND account_id = $2"
        args.append(account_id)
    if lock:
        query += " FOR UPDATE"
    return await connection.fetchrow(query, *args)


async def integration_by_shop(connection: asyncpg.Connection, shop_id: str) -> list[asyncpg.Record]:
    return await connection.fetch(
        f"SELECT {INTEGRATION_COLUMNS} FROM integrations WHERE shop->>'id' = $1 ORDER BY created_at", shop_id
    )


async def connected_integration_ids(connection: asyncpg.Connection) -> list[str]:
    rows = await connection.fetch("SELECT id FROM integrations WHERE status = 'connected' ORDER BY created_at")
    return [row["id"] for row in rows]


async def update_integration(connection: asyncpg.Connection, integration_id: str, **columns: Any) -> None:
    """Set the given columns of one integration and bump `updated_at`."""
    assignments = ", ".join(f"{name} = ${index}" for index, name in enumerate(columns, start=2))
    await connection.execute(
        f"UPDATE integrations SET {assignments}, updated_at = now() WHERE id = $1", integration_id, *columns.values()
    )


async def known_master_skus(connection: asyncpg.Connection, account_id: str, skus: list[str]) -> set[str]:
    rows = await connection.fetch(
        "SELECT sku FROM master_skus WHERE account_id = $1 AND sku = ANY($2::text[])", account_id, skus
    )
    return {row["sku"] for row in rows}


async def catalog_source(connection: asyncpg.Connection, account_id: str) -> str | None:
    return await connection.fetchval("SELECT catalog_source FROM catalog_settings WHERE account_id = $1", account_id)
