"""Master product use cases: create, replace, delete, bulk upsert and channel options."""

import logging
from typing import Any

import asyncpg
from crossdock_common.service import ServiceRuntime

from crossdock_catalog.adapters import repository
from crossdock_catalog.domain import source as source_rules
from crossdock_catalog.domain.channel_options import (
    SALES_CHANNEL_TYPES,
    ChannelOptionsInput,
    ChannelSkuRejected,
    check_channel_sku_allowed,
)
from crossdock_catalog.domain.products import BulkRow, ProductInput
from crossdock_catalog.errors import CatalogError, ConflictError, InvalidInputError, NotFoundError
from crossdock_catalog.service_layer.linking import current_source, relink_sku
from crossdock_catalog.service_layer.publishing import Changes, publish_changes

logger = logging.getLogger(__name__)


async def _require_api_editable(connection: asyncpg.Connection, account_id: str) -> str:
    source = await current_source(connection, account_id)
    if not source_rules.api_may_edit(source):
        raise ConflictError(
            f"catalog source is {source!r}: master products come from the {source} pull and are changed there; "
            "set the catalog source to 'other' to manage masters through this API and CSV import",
            catalog_source=source,
        )
    return source


async def _check_parent(
    connection: asyncpg.Connection, account_id: str, product: ProductInput, pending_parents: set[str]
) -> None:
    if product.parent_sku is None:
        return
    if product.parent_sku in pending_parents:
        return
    parent = await repository.get_product(connection, account_id, product.parent_sku)
    if parent is None:
        raise InvalidInputError(
            f"parent_sku {product.parent_sku!r} of variant {product.sku!r} not found; create the parent product first",
            parent_sku=product.parent_sku,
        )
    if parent["product_type"] != "parent":
        raise InvalidInputError(
            f"parent_sku {product.parent_sku!r} is a {parent['product_type']} product; a variant's parent must "
            "have product_type 'parent'",
            parent_sku=product.parent_sku,
        )


async def _check_type_change(
    connection: asyncpg.Connection, account_id: str, existing: Any, product: ProductInput
) -> None:
    if existing["product_type"] != "parent" or product.product_type == "parent":
        return
    variants = await repository.list_variant_skus(connection, account_id, product.sku)
    if variants:
        raise ConflictError(
            f"{product.sku!r} is the parent of {len(variants)} variants ({', '.join(map(repr, variants[:5]))}); "
            "move or delete the variants before changing its product_type",
            variants=variants,
        )


async def upsert_product(
    connection: asyncpg.Connection,
    account_id: str,
    product: ProductInput,
    changes: Changes,
    *,
    create_only: bool = False,
    pending_parents: frozenset[str] = frozenset(),
) -> str:
    """Create or replace one master from API input; return "created", "updated" or "unchanged"."""
    source = await _require_api_editable(connection, account_id)
    await _check_parent(connection, account_id, product, set(pending_parents))
    existing = await repository.get_product(connection, account_id, product.sku)

    if existing is None:
        await repository.insert_product(connection, account_id, product, owner_integration_id=None)
        changes.touch(product.sku)
        await relink_sku(connection, account_id, product.sku, source, changes)
        return "created"

    if create_only:
        raise ConflictError(
            f"product {product.sku!r} already exists; use PUT /v1/products/{{sku}} to replace it", sku=product.sku
        )
    await _check_type_change(connection, account_id, existing, product)
    requested = {name: getattr(product, name) for name in repository.PRODUCT_FIELDS}
    changed = {name: value for name, value in requested.items() if existing[name] != value}
    if not changed:
        return "unchanged"
    await repository.update_product_fields(connection, account_id, product.sku, changed)
    changes.touch(product.sku)
    return "updated"


async def create_product(
    connection: asyncpg.Connection, runtime: ServiceRuntime, account_id: str, product: ProductInput
) -> None:
    changes = Changes()
    await repository.lock_account(connection, account_id)
    await upsert_product(connection, account_id, product, changes, create_only=True)
    await publish_changes(connection, runtime, account_id, changes)


async def replace_product(
    connection: asyncpg.Connection, runtime: ServiceRuntime, account_id: str, product: ProductInput
) -> str:
    changes = Changes()
    await repository.lock_account(connection, account_id)
    outcome = await upsert_product(connection, account_id, product, changes)
    await publish_changes(connection, runtime, account_id, changes)
    return outcome


async def delete_product(connection: asyncpg.Connection, runtime: ServiceRuntime, account_id: str, sku: str) -> None:
    """Delete a master with its channel options. Its channel products become unmatched."""
    await repository.lock_account(connection, account_id)
    source = await _require_api_editable(connection, account_id)
    if await repository.get_product(connection, account_id, sku) is None:
        raise NotFoundError(f"product {sku!r} not found")
    variants = await repository.list_variant_skus(connection, account_id, sku)
    if variants:
        raise ConflictError(
            f"product {sku!r} is the parent of {len(variants)} variants; delete the variants first", variants=variants
        )

    linked = await repository.channel_products_linked_to(connection, account_id, sku)
    await repository.delete_product(connection, account_id, sku)
    changes = Changes(deleted={sku})
    for row in linked:
        await relink_sku(connection, account_id, row["channel_sku"], source, changes, row["integration_id"])
    await publish_changes(connection, runtime, account_id, changes)


async def bulk_upsert(
    connection: asyncpg.Connection, runtime: ServiceRuntime, account_id: str, rows: list[BulkRow], *, dry_run: bool
) -> dict[str, Any]:
    """Apply every valid row, each in its own savepoint, and report each rejected row with its errors.

    A row is applied completely or not at all. Rows are applied parents first, so a
    variant may name a parent created by an earlier or a later row of the same file.
    """
    await repository.lock_account(connection, account_id)
    await _require_api_editable(connection, account_id)

    seen: dict[str, int] = {}
    for row in rows:
        if row.product is None:
            continue
        first = seen.setdefault(row.product.sku, row.row)
        if first != row.row:
            row.errors.append(f"SKU {row.product.sku!r} already appears in row {first}; each SKU may appear once")
            row.product = None

    valid = [row for row in rows if row.product is not None]
    parents = frozenset(row.product.sku for row in valid if row.product.product_type == "parent")
    ordered = sorted(valid, key=lambda row: row.product.product_type == "variant")

    changes = Changes()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    created_parents: set[str] = set()
    for row in ordered:
        product = row.product
        # A variant may only rely on a parent of this file that was itself applied.
        pending = frozenset(created_parents) if product.product_type == "variant" else frozenset()
        try:
            async with connection.transaction():
                outcome = await upsert_product(connection, account_id, product, changes, pending_parents=pending)
        except CatalogError as error:
            row.errors.append(error.detail)
            row.product = None
            continue
        except asyncpg.PostgresError as error:
            logger.warning(
                "bulk row rejected by the database: %s", error, extra={"account_id": account_id, "row": row.row}
            )
            row.errors.append(f"database rejected the row: {error}")
            row.product = None
            continue
        counts[outcome] += 1
        if product.sku in parents:
            created_parents.add(product.sku)

    rejected = [
        {"row": row.row, "sku": row.product.sku if row.product else row.sku, "errors": row.errors}
        for row in rows
        if row.errors
    ]
    warnings = [
        {"row": row.row, "sku": row.product.sku, "warnings": row.product.warnings()}
        for row in rows
        if row.product is not None and row.product.warnings()
    ]
    if not dry_run:
        await publish_changes(connection, runtime, account_id, changes)
    return {
        "dry_run": dry_run,
        "rows": len(rows),
        "applied": sum(counts.values()),
        **counts,
        "rejected": rejected,
        "warnings": warnings,
    }


async def set_channel_options(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    account_id: str,
    sku: str,
    integration_id: str,
    change: ChannelOptionsInput,
) -> None:
    """Change a product's options on one integration, relinking channel products when the channelSku changes."""
    await repository.lock_account(connection, account_id)
    product = await repository.get_product(connection, account_id, sku)
    if product is None:
        raise NotFoundError(f"product {sku!r} not found")
    integration = await repository.get_integration(connection, account_id, integration_id)
    if integration is None:
        raise NotFoundError(
            f"integration {integration_id!r} not found; catalog learns integrations from their connector's events"
        )
    if integration.type not in SALES_CHANNEL_TYPES:
        raise InvalidInputError(
            f"integration {integration_id!r} is a {integration.type} integration; channel options exist only for "
            "Mirakl and TikTok integrations"
        )

    stored = (await repository.get_options(connection, account_id, sku)).get(integration_id)
    old_channel_sku = stored["channel_sku"] if stored else None
    fields = change.model_dump(exclude_unset=True)
    new_channel_sku = fields.get("channel_sku", old_channel_sku) or None

    if "channel_sku" in fields and new_channel_sku is not None and new_channel_sku != old_channel_sku:
        try:
            check_channel_sku_allowed(
                integration=integration,
                sku=sku,
                product_type=product["product_type"],
                parent_has_channel_skus=await repository.any_channel_sku(connection, account_id, sku),
            )
        except ChannelSkuRejected as error:
            raise InvalidInputError(str(error), integration_id=integration_id, sku=sku) from None
        await _check_channel_sku_free(connection, account_id, sku, integration_id, new_channel_sku)

    sync_to_channel = fields.get("sync_to_channel")
    inventory_buffer = fields.get("inventory_buffer")
    await repository.upsert_option(
        connection,
        account_id,
        sku,
        integration_id,
        sync_to_channel=sync_to_channel
        if sync_to_channel is not None
        else (stored["sync_to_channel"] if stored else True),
        inventory_buffer=inventory_buffer
        if inventory_buffer is not None
        else (stored["inventory_buffer"] if stored else 0),
        channel_sku=new_channel_sku,
    )

    changes = Changes()
    changes.touch(sku)
    if new_channel_sku != old_channel_sku:
        source = await current_source(connection, account_id)
        for affected in {sku, old_channel_sku, new_channel_sku} - {None}:
            await relink_sku(connection, account_id, affected, source, changes, integration_id)
    await publish_changes(connection, runtime, account_id, changes)


async def _check_channel_sku_free(
    connection: asyncpg.Connection, account_id: str, sku: str, integration_id: str, channel_sku: str
) -> None:
    owner = await repository.sku_for_channel_sku(connection, account_id, integration_id, channel_sku)
    if owner is not None and owner != sku:
        raise ConflictError(
            f"channelSku {channel_sku!r} is already used by product {owner!r} on {integration_id}; "
            "a channel SKU maps to one master per integration",
            channel_sku=channel_sku,
            sku=owner,
        )
    if channel_sku != sku and await repository.get_product(connection, account_id, channel_sku) is not None:
        if not await repository.has_channel_sku(connection, account_id, channel_sku, integration_id):
            raise ConflictError(
                f"channelSku {channel_sku!r} is the master SKU of another product, which links to {channel_sku!r} "
                f"on {integration_id}; give that product its own channelSku first or pick another value",
                channel_sku=channel_sku,
                sku=channel_sku,
            )
