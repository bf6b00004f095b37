"""SQL for the catalog schema. Every function takes the caller's connection and account id."""

import base64
from typing import Any

import asyncpg

from crossdock_catalog.domain.channel_options import SALES_CHANNEL_TYPES, IntegrationView
from crossdock_catalog.domain.products import ProductInput
from crossdock_catalog.domain.sku import sku_key

PRODUCT_FIELDS = ("product_type", "parent_sku", "title", "description", "gtin", "price", "currency", "images",
                  "attributes", "status")  # fmt: skip


async def lock_account(connection: asyncpg.Connection, account_id: str) -> None:
    """Serialize catalog writes of one account until the transaction ends, so links never race."""
    await connection.execute("SELECT pg_advisory_xact_lock(hashtext('crossdock.catalog:' || $1))", account_id)


# Settings


async def get_catalog_source(connection: asyncpg.Connection, account_id: str) -> str | None:
    """Return the account's stored catalog source, or None when it was never set."""
    return await connection.fetchval("SELECT catalog_source FROM catalog_settings WHERE account_id = $1", account_id)


async def set_catalog_source(connection: asyncpg.Connection, account_id: str, source: str) -> None:
    await connection.execute(
        """
        INSERT INTO catalog_settings (account_id, catalog_source) VALUES ($1, $2)
        ON CONFLICT (account_id) DO UPDATE SET catalog_source = EXCLUDED.catalog_source, updated_at = now()
        """,
        account_id,
        source,
    )


# Integrations


async def upsert_integration(connection: asyncpg.Connection, account_id: str, payload: Any) -> None:
    await connection.execute(
        """
        INSERT INTO integrations (account_id, integration_id, type, name, status, supports_channel_sku, settings)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (account_id, integration_id) DO UPDATE SET
            type = EXCLUDED.type, name = EXCLUDED.name, status = EXCLUDED.status,
            supports_channel_sku = EXCLUDED.supports_channel_sku, settings = EXCLUDED.settings,
            deleted = false, updated_at = now()
        """,
        account_id,
        payload.integration_id,
        payload.type,
        payload.name,
        payload.status,
        payload.supports_channel_sku,
        payload.settings,
    )


async def mark_integration_deleted(
    connection: asyncpg.Connection, account_id: str, integration_id: str, integration_type: str
) -> None:
    await connection.execute(
        """
        INSERT INTO integrations (account_id, integration_id, type, status, deleted)
        VALUES ($1, $2, $3, 'disconnected', true)
        ON CONFLICT (account_id, integration_id) DO UPDATE SET deleted = true, updated_at = now()
        """,
        account_id,
        integration_id,
        integration_type,
    )


def _integration_view(row: asyncpg.Record) -> IntegrationView:
    return IntegrationView(
        integration_id=row["integration_id"],
        type=row["type"],
        name=row["name"],
        status=row["status"],
        supports_channel_sku=row["supports_channel_sku"],
    )


async def get_integration(
    connection: asyncpg.Connection, account_id: str, integration_id: str
) -> IntegrationView | None:
    """Return a known, not deleted integration."""
    row = await connection.fetchrow(
        "SELECT * FROM integrations WHERE account_id = $1 AND integration_id = $2 AND NOT deleted",
        account_id,
        integration_id,
    )
    return _integration_view(row) if row else None


async def list_sales_integrations(connection: asyncpg.Connection, account_id: str) -> list[IntegrationView]:
    """Return the account's Mirakl and TikTok integrations that are not deleted, ordered by id."""
    rows = await connection.fetch(
        "SELECT * FROM integrations WHERE account_id = $1 AND NOT deleted AND type = ANY($2::text[]) "
        "ORDER BY integration_id",
        account_id,
        list(SALES_CHANNEL_TYPES),
    )
    return [_integration_view(row) for row in rows]


async def list_integrations(connection: asyncpg.Connection, account_id: str) -> list[asyncpg.Record]:
    return await connection.fetch(
        "SELECT * FROM integrations WHERE account_id = $1 AND NOT deleted ORDER BY integration_id", account_id
    )


# Master products


async def get_product(connection: asyncpg.Connection, account_id: str, sku: str) -> asyncpg.Record | None:
    return await connection.fetchrow("SELECT * FROM products WHERE account_id = $1 AND sku = $2", account_id, sku)


async def insert_product(
    connection: asyncpg.Connection, account_id: str, product: ProductInput, owner_integration_id: str | None
) -> None:
    await connection.execute(
        """
        INSERT INTO products (account_id, sku, sku_key, product_type, parent_sku, title, description, gtin,
                              price, currency, images, attributes, status, owner_integration_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        """,
        account_id,
        product.sku,
        sku_key(product.sku),
        product.product_type,
        product.parent_sku,
        product.title,
        product.description,
        product.gtin,
        product.price,
        product.currency,
        product.images,
        product.attributes,
        product.status,
        owner_integration_id,
    )


async def update_product_fields(
    connection: asyncpg.Connection, account_id: str, sku: str, fields: dict[str, Any]
) -> None:
    """Set the given product columns (names from `PRODUCT_FIELDS` only) and touch `updated_at`."""
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"cannot update product columns {sorted(unknown)}")
    if not fields:
        return
    names = list(fields)
    assignments = ", ".join(f"{name} = ${index}" for index, name in enumerate(names, start=3))
    await connection.execute(
        f"UPDATE products SET {assignments}, updated_at = now() WHERE account_id = $1 AND sku = $2",
        account_id,
        sku,
        *[fields[name] for name in names],
    )


async def delete_product(connection: asyncpg.Connection, account_id: str, sku: str) -> None:
    await connection.execute("DELETE FROM products WHERE account_id = $1 AND sku = $2", account_id, sku)


async def list_variant_skus(connection: asyncpg.Connection, account_id: str, parent_sku: str) -> list[str]:
    rows = await connection.fetch(
        'SELECT sku FROM products WHERE account_id = $1 AND parent_sku = $2 ORDER BY sku COLLATE "C"',
        account_id,
        parent_sku,
    )
    return [row["sku"] for row in rows]


def encode_cursor(sku: str) -> str:
    """Encode the last SKU of a page; base64 keeps whitespace and any character intact in a URL."""
    return base64.urlsafe_b64encode(sku.encode("utf-8")).decode("ascii")


def decode_cursor(cursor: str) -> str:
    try:
        return base64.b64decode(cursor.encode("ascii"), altchars=b"-_", validate=True).decode("utf-8")
    except (ValueError, UnicodeError):
        raise ValueError(f"invalid cursor {cursor!r}; pass the next_cursor of the previous page unchanged") from None


async def list_products(
    connection: asyncpg.Connection,
    account_id: str,
    *,
    limit: int,
    after_sku: str | None,
    filters: dict[str, Any],
) -> list[asyncpg.Record]:
    """Return one page of products ordered by SKU (byte order), after `after_sku` when given."""
    conditions = ["account_id = $1"]
    arguments: list[Any] = [account_id]

    def add(condition: str, value: Any) -> None:
        arguments.append(value)
        conditions.append(condition.replace("?", f"${len(arguments)}"))

    if after_sku is not None:
        add('sku COLLATE "C" > ?', after_sku)
    for column in ("product_type", "parent_sku", "status", "gtin", "owner_integration_id"):
        if filters.get(column) is not None:
            add(f"{column} = ?", filters[column])
    if filters.get("q"):
        add("title ILIKE '%' || ? || '%'", filters["q"].replace("%", r"\%").replace("_", r"\_"))
    arguments.append(limit)
    query = f'SELECT * FROM products WHERE {" AND ".join(conditions)} ORDER BY sku COLLATE "C" LIMIT ${len(arguments)}'
    return await connection.fetch(query, *arguments)


async def masters_with_key(connection: asyncpg.Connection, account_id: str, key: str) -> list[str]:
    rows = await connection.fetch("SELECT sku FROM products WHERE account_id = $1 AND sku_key = $2", account_id, key)
    return [row["sku"] for row in rows]


# Channel options


async def get_options(connection: asyncpg.Connection, account_id: str, sku: str) -> dict[str, asyncpg.Record]:
    rows = await connection.fetch("SELECT * FROM channel_options WHERE account_id = $1 AND sku = $2", account_id, sku)
    return {row["integration_id"]: row for row in rows}


async def upsert_option(
    connection: asyncpg.Connection,
    account_id: str,
    sku: str,
    integration_id: str,
    *,
    sync_to_channel: bool,
    inventory_buffer: int,
    channel_sku: str | None,
) -> None:
    await connection.execute(
        """
        INSERT INTO channel_options (account_id, sku, integration_id, sync_to_channel, inventory_buffer,
                                     channel_sku, channel_sku_key)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (account_id, sku, integration_id) DO UPDATE SET
            sync_to_channel = EXCLUDED.sync_to_channel, inventory_buffer = EXCLUDED.inventory_buffer,
            channel_sku = EXCLUDED.channel_sku, channel_sku_key = EXCLUDED.channel_sku_key, updated_at = now()
        """,
        account_id,
        sku,
        integration_id,
        sync_to_channel,
        inventory_buffer,
        channel_sku,
        sku_key(channel_sku) if channel_sku is not None else None,
    )


async def sku_for_channel_sku(
    connection: asyncpg.Connection, account_id: str, integration_id: str, channel_sku: str
) -> str | None:
    """Return the master whose channelSku on `integration_id` is exactly `channel_sku`."""
    return await connection.fetchval(
        "SELECT sku FROM channel_options WHERE account_id = $1 AND integration_id = $2 AND channel_sku = $3",
        account_id,
        integration_id,
        channel_sku,
    )


async def has_channel_sku(connection: asyncpg.Connection, account_id: str, sku: str, integration_id: str) -> bool:
    return bool(
        await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM channel_options WHERE account_id = $1 AND sku = $2 "
            "AND integration_id = $3 AND channel_sku IS NOT NULL)",
            account_id,
            sku,
            integration_id,
        )
    )


async def any_channel_sku(connection: asyncpg.Connection, account_id: str, sku: str) -> bool:
    return bool(
        await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM channel_options WHERE account_id = $1 AND sku = $2 "
            "AND channel_sku IS NOT NULL)",
            account_id,
            sku,
        )
    )


async def channel_skus_with_key(
    connection: asyncpg.Connection, account_id: str, integration_id: str, key: str
) -> dict[str, str]:
    """Return {channelSku: master SKU} of the integration's channel SKUs whose comparison key is `key`."""
    rows = await connection.fetch(
        "SELECT channel_sku, sku FROM channel_options WHERE account_id = $1 AND integration_id = $2 "
        "AND channel_sku_key = $3",
        account_id,
        integration_id,
        key,
    )
    return {row["channel_sku"]: row["sku"] for row in rows}


async def delete_options_of_integration(
    connection: asyncpg.Connection, account_id: str, integration_id: str
) -> list[str]:
    rows = await connection.fetch(
        "DELETE FROM channel_options WHERE account_id = $1 AND integration_id = $2 RETURNING sku",
        account_id,
        integration_id,
    )
    return [row["sku"] for row in rows]


# Channel products


async def get_channel_product(
    connection: asyncpg.Connection, account_id: str, integration_id: str, channel_product_id: str
) -> asyncpg.Record | None:
    return await connection.fetchrow(
        "SELECT * FROM channel_products WHERE account_id = $1 AND integration_id = $2 AND channel_product_id = $3",
        account_id,
        integration_id,
        channel_product_id,
    )


async def upsert_channel_product(
    connection: asyncpg.Connection, account_id: str, payload: Any, unmatched_reason: str
) -> None:
    """Store the channel's view of a product. A new row starts unmatched, and linking sets `master_sku` next."""
    await connection.execute(
        """
        INSERT INTO channel_products (
            account_id, integration_id, channel_product_id, channel, channel_sku, channel_sku_key, product_type,
            parent_channel_product_id, title, description, gtin, price, currency, images, attributes,
            channel_status, problems, channel_updated_at, master_sku, unmatched_reason)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, NULL, $19)
        ON CONFLICT (account_id, integration_id, channel_product_id) DO UPDATE SET
            channel = EXCLUDED.channel, channel_sku = EXCLUDED.channel_sku,
            channel_sku_key = EXCLUDED.channel_sku_key, product_type = EXCLUDED.product_type,
            parent_channel_product_id = EXCLUDED.parent_channel_product_id, title = EXCLUDED.title,
            description = EXCLUDED.description, gtin = EXCLUDED.gtin, price = EXCLUDED.price,
            currency = EXCLUDED.currency, images = EXCLUDED.images, attributes = EXCLUDED.attributes,
            channel_status = EXCLUDED.channel_status, problems = EXCLUDED.problems,
            channel_updated_at = EXCLUDED.channel_updated_at, received_at = now()
        """,
        account_id,
        payload.integration_id,
        payload.channel_product_id,
        payload.channel,
        payload.channel_sku,
        sku_key(payload.channel_sku),
        payload.product_type,
        payload.parent_channel_product_id,
        payload.title,
        payload.description,
        payload.gtin,
        payload.price,
        payload.currency,
        payload.images,
        payload.attributes,
        payload.status,
        payload.problems,
        payload.updated_at,
        unmatched_reason,
    )


async def set_link(
    connection: asyncpg.Connection,
    account_id: str,
    integration_id: str,
    channel_product_id: str,
    *,
    master_sku: str | None,
    unmatched_reason: str | None,
) -> None:
    await connection.execute(
        "UPDATE channel_products SET master_sku = $4, unmatched_reason = $5 "
        "WHERE account_id = $1 AND integration_id = $2 AND channel_product_id = $3",
        account_id,
        integration_id,
        channel_product_id,
        master_sku,
        unmatched_reason,
    )


async def channel_products_with_sku(
    connection: asyncpg.Connection, account_id: str, channel_sku: str, integration_id: str | None = None
) -> list[asyncpg.Record]:
    """Return channel products whose channel SKU is exactly `channel_sku`, on one or every integration."""
    if integration_id is None:
        return await connection.fetch(
            "SELECT * FROM channel_products WHERE account_id = $1 AND channel_sku = $2", account_id, channel_sku
        )
    return await connection.fetch(
        "SELECT * FROM channel_products WHERE account_id = $1 AND integration_id = $2 AND channel_sku = $3",
        account_id,
        integration_id,
        channel_sku,
    )


async def channel_products_linked_to(
    connection: asyncpg.Connection, account_id: str, master_sku: str
) -> list[asyncpg.Record]:
    return await connection.fetch(
        "SELECT * FROM channel_products WHERE account_id = $1 AND master_sku = $2 "
        "ORDER BY integration_id, channel_product_id",
        account_id,
        master_sku,
    )


async def waiting_children(
    connection: asyncpg.Connection, account_id: str, integration_id: str, parent_channel_product_id: str
) -> list[asyncpg.Record]:
    return await connection.fetch(
        "SELECT * FROM channel_products WHERE account_id = $1 AND integration_id = $2 "
        "AND parent_channel_product_id = $3 AND master_sku IS NULL",
        account_id,
        integration_id,
        parent_channel_product_id,
    )


async def unmatched_of_channels(
    connection: asyncpg.Connection, account_id: str, channels: list[str]
) -> list[asyncpg.Record]:
    return await connection.fetch(
        "SELECT * FROM channel_products WHERE account_id = $1 AND master_sku IS NULL AND channel = ANY($2::text[]) "
        "ORDER BY (product_type = 'variant'), integration_id, channel_product_id",
        account_id,
        channels,
    )


async def delete_channel_products_of_integration(
    connection: asyncpg.Connection, account_id: str, integration_id: str
) -> list[str]:
    rows = await connection.fetch(
        "DELETE FROM channel_products WHERE account_id = $1 AND integration_id = $2 RETURNING master_sku",
        account_id,
        integration_id,
    )
    return [row["master_sku"] for row in rows if row["master_sku"] is not None]


async def list_channel_products(
    connection: asyncpg.Connection,
    account_id: str,
    *,
    state: str | None,
    integration_id: str | None,
    limit: int,
    offset: int,
) -> list[asyncpg.Record]:
    conditions = ["account_id = $1"]
    arguments: list[Any] = [account_id]
    if state == "unmatched":
        conditions.append("master_sku IS NULL")
    elif state == "linked":
        conditions.append("master_sku IS NOT NULL")
    if integration_id is not None:
        arguments.append(integration_id)
        conditions.append(f"integration_id = ${len(arguments)}")
    arguments += [limit, offset]
    return await connection.fetch(
        f"SELECT * FROM channel_products WHERE {' AND '.join(conditions)} "
        f"ORDER BY integration_id, channel_product_id LIMIT ${len(arguments) - 1} OFFSET ${len(arguments)}",
        *arguments,
    )


async def channel_counts_by_channel(connection: asyncpg.Connection, account_id: str) -> dict[str, int]:
    rows = await connection.fetch(
        "SELECT channel, count(*) AS total FROM channel_products WHERE account_id = $1 GROUP BY channel", account_id
    )
    return {row["channel"]: row["total"] for row in rows}


async def count_masters_owned_by_channels(connection: asyncpg.Connection, account_id: str, channels: list[str]) -> int:
    """Count masters created by a pull of one of `channels` (their owner integration is of that type)."""
    return await connection.fetchval(
        """
        SELECT count(*) FROM products p JOIN integrations i
          ON i.account_id = p.account_id AND i.integration_id = p.owner_integration_id
        WHERE p.account_id = $1 AND i.type = ANY($2::text[])
        """,
        account_id,
        channels,
    )


async def count_unmatched_skus_of_channels(connection: asyncpg.Connection, account_id: str, channels: list[str]) -> int:
    return await connection.fetchval(
        "SELECT count(DISTINCT channel_sku) FROM channel_products WHERE account_id = $1 AND master_sku IS NULL "
        "AND channel = ANY($2::text[])",
        account_id,
        channels,
    )


# Audit


async def load_audit_rows(connection: asyncpg.Connection, account_id: str) -> dict[str, list[asyncpg.Record]]:
    """Load everything the SKU audit compares for one account."""
    return {
        "masters": await connection.fetch(
            'SELECT sku, product_type, title, gtin FROM products WHERE account_id = $1 ORDER BY sku COLLATE "C"',
            account_id,
        ),
        "channel_products": await connection.fetch(
            "SELECT integration_id, channel_product_id, channel_sku, title, gtin, master_sku FROM channel_products "
            "WHERE account_id = $1 ORDER BY integration_id, channel_product_id",
            account_id,
        ),
        "options": await connection.fetch(
            "SELECT sku, integration_id, sync_to_channel, channel_sku FROM channel_options WHERE account_id = $1",
            account_id,
        ),
    }
