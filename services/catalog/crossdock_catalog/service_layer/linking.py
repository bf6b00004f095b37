"""Link channel products to master products by exact SKU or channelSku, and create masters from a source pull.

A channel SKU on integration I links to the master whose channelSku on I equals it
exactly. Failing that, it links to the master whose SKU equals it exactly, unless that
master has a channelSku on I, because a channelSku replaces the identity mapping.
Linking never trims, case-folds or Unicode-normalizes a SKU.
"""

import logging
from typing import Any

import asyncpg
from crossdock_common.events.payloads.product import ChannelProductPayload

from crossdock_catalog.adapters import repository
from crossdock_catalog.domain import source as source_rules
from crossdock_catalog.domain.products import ProductInput
from crossdock_catalog.domain.sku import explain_mismatch, sku_key
from crossdock_catalog.service_layer.publishing import Changes

logger = logging.getLogger(__name__)


async def current_source(connection: asyncpg.Connection, account_id: str) -> str:
    stored = await repository.get_catalog_source(connection, account_id)
    return stored or source_rules.DEFAULT_CATALOG_SOURCE


async def resolve_master(
    connection: asyncpg.Connection, account_id: str, integration_id: str, channel_sku: str
) -> str | None:
    """Return the master SKU that `channel_sku` on `integration_id` maps to exactly, or None."""
    mapped = await repository.sku_for_channel_sku(connection, account_id, integration_id, channel_sku)
    if mapped is not None:
        return mapped
    master = await repository.get_product(connection, account_id, channel_sku)
    if master is None:
        return None
    if await repository.has_channel_sku(connection, account_id, channel_sku, integration_id):
        return None
    return channel_sku


async def near_miss_reason(
    connection: asyncpg.Connection, account_id: str, integration_id: str, channel_sku: str
) -> str | None:
    """Explain a near-miss ("differs from 'ABC-1' by trailing space") when a linkable SKU looks alike."""
    key = sku_key(channel_sku)
    candidates: list[str] = []
    for master_sku in await repository.masters_with_key(connection, account_id, key):
        if master_sku != channel_sku and not await repository.has_channel_sku(
            connection, account_id, master_sku, integration_id
        ):
            candidates.append(master_sku)
    mapped = await repository.channel_skus_with_key(connection, account_id, integration_id, key)
    candidates += [candidate for candidate in mapped if candidate != channel_sku]
    if not candidates:
        return None
    return explain_mismatch(channel_sku, sorted(candidates)[0])


async def unmatched_reason(connection: asyncpg.Connection, account_id: str, row: Any, source: str) -> str:
    """Explain why a channel product has no master."""
    channel_sku = row["channel_sku"]
    near_miss = await near_miss_reason(connection, account_id, row["integration_id"], channel_sku)
    if near_miss:
        return near_miss
    overridden = await repository.get_product(connection, account_id, channel_sku)
    if overridden is not None:
        return (
            f"master {channel_sku!r} has a channelSku on {row['integration_id']}, so only that channel SKU links to it"
        )
    if source_rules.channel_may_create(source, row["channel"]):
        return f"no master SKU {channel_sku!r}"
    return f"no master SKU {channel_sku!r}; " + source_rules.link_only_reason(
        source, row["channel"], row["integration_id"]
    )


def _master_input_from_channel(row: Any, parent_sku: str | None) -> ProductInput:
    product_type = row["product_type"] if row["product_type"] in ("simple", "parent", "variant") else "simple"
    return ProductInput.model_construct(
        sku=row["channel_sku"],
        product_type=product_type,
        parent_sku=parent_sku if product_type == "variant" else None,
        title=row["title"],
        description=row["description"],
        gtin=row["gtin"],
        price=row["price"] if row["currency"] else None,
        currency=row["currency"] if row["price"] is not None else None,
        images=row["images"],
        attributes=row["attributes"],
        status="active",
    )


def _descriptive_fields(row: Any) -> dict[str, Any]:
    return {
        "title": row["title"],
        "description": row["description"],
        "gtin": row["gtin"],
        "price": row["price"] if row["currency"] else None,
        "currency": row["currency"] if row["price"] is not None else None,
        "images": row["images"],
        "attributes": row["attributes"],
    }


async def _update_master_from_channel(
    connection: asyncpg.Connection, account_id: str, master_sku: str, row: Any, changes: Changes
) -> None:
    master = await repository.get_product(connection, account_id, master_sku)
    channel_fields = _descriptive_fields(row)
    changed = {name: value for name, value in channel_fields.items() if master[name] != value}
    if changed:
        await repository.update_product_fields(connection, account_id, master_sku, changed)
        changes.touch(master_sku)


async def _parent_master_of(connection: asyncpg.Connection, account_id: str, row: Any) -> tuple[str | None, str]:
    """Return the master SKU of a variant's parent channel product, or None with the reason."""
    parent_id = row["parent_channel_product_id"]
    if parent_id is None:
        return None, f"variant {row['channel_sku']!r} has no parent channel product id"
    parent = await repository.get_channel_product(connection, account_id, row["integration_id"], parent_id)
    if parent is None or parent["master_sku"] is None:
        return None, f"waiting for parent channel product {parent_id!r} to link before creating variant master"
    master = await repository.get_product(connection, account_id, parent["master_sku"])
    if master is None or master["product_type"] != "parent":
        return None, f"parent channel product {parent_id!r} links to {parent['master_sku']!r}, which is not a parent"
    return master["sku"], ""


async def link_channel_product(
    connection: asyncpg.Connection, account_id: str, row: Any, source: str, changes: Changes
) -> None:
    """Link one stored channel product to its master, creating the master when the source allows it."""
    integration_id = row["integration_id"]
    product_id = row["channel_product_id"]
    old_master = row["master_sku"]

    reason = None
    if row["problems"]:
        reason = "connector reported: " + "; ".join(row["problems"])
    elif not row["channel_sku"].strip():
        reason = f"channel SKU {row['channel_sku']!r} is empty or only whitespace; set a seller SKU on the channel"
    if reason is not None:
        await repository.set_link(
            connection, account_id, integration_id, product_id, master_sku=None, unmatched_reason=reason
        )
        changes.touch(old_master)
        return

    master_sku = await resolve_master(connection, account_id, integration_id, row["channel_sku"])
    created = False
    if master_sku is None and source_rules.channel_may_create(source, row["channel"]):
        parent_sku = None
        if row["product_type"] == "variant":
            parent_sku, waiting_reason = await _parent_master_of(connection, account_id, row)
            if parent_sku is None:
                await repository.set_link(
                    connection, account_id, integration_id, product_id, master_sku=None, unmatched_reason=waiting_reason
                )
                changes.touch(old_master)
                return
        product = _master_input_from_channel(row, parent_sku)
        await repository.insert_product(connection, account_id, product, owner_integration_id=integration_id)
        master_sku = product.sku
        created = True
        logger.info(
            "created master from channel product",
            extra={"account_id": account_id, "integration_id": integration_id, "sku": master_sku},
        )

    if master_sku is None:
        reason = await unmatched_reason(connection, account_id, row, source)
        await repository.set_link(
            connection, account_id, integration_id, product_id, master_sku=None, unmatched_reason=reason
        )
        changes.touch(old_master)
        return

    await repository.set_link(
        connection, account_id, integration_id, product_id, master_sku=master_sku, unmatched_reason=None
    )
    if old_master != master_sku:
        changes.touch(old_master, master_sku)

    master = await repository.get_product(connection, account_id, master_sku)
    if not created and source_rules.integration_may_update(
        source=source,
        channel=row["channel"],
        integration_id=integration_id,
        owner_integration_id=master["owner_integration_id"],
    ):
        await _update_master_from_channel(connection, account_id, master_sku, row, changes)

    if created:
        changes.touch(master_sku)
        await relink_sku(connection, account_id, master_sku, source, changes)
    if master["product_type"] == "parent":
        for child in await repository.waiting_children(connection, account_id, integration_id, product_id):
            await link_channel_product(connection, account_id, child, source, changes)


async def relink_sku(
    connection: asyncpg.Connection,
    account_id: str,
    channel_sku: str,
    source: str,
    changes: Changes,
    integration_id: str | None = None,
) -> None:
    """Recompute the link of every channel product with this exact channel SKU (on one or all integrations)."""
    for row in await repository.channel_products_with_sku(connection, account_id, channel_sku, integration_id):
        current = await resolve_master(connection, account_id, row["integration_id"], channel_sku)
        if current == row["master_sku"] and current is not None:
            continue
        await link_channel_product(connection, account_id, row, source, changes)


async def relink_unmatched(
    connection: asyncpg.Connection, account_id: str, source: str, channels: list[str], changes: Changes
) -> None:
    """Retry every unmatched channel product of `channels`, parents before variants."""
    for row in await repository.unmatched_of_channels(connection, account_id, channels):
        fresh = await repository.get_channel_product(
            connection, account_id, row["integration_id"], row["channel_product_id"]
        )
        if fresh["master_sku"] is None:
            await link_channel_product(connection, account_id, fresh, source, changes)


async def apply_channel_product(
    connection: asyncpg.Connection, account_id: str, payload: ChannelProductPayload, changes: Changes
) -> bool:
    """Store a channel product as the channel shows it, then link it.

    Returns False, storing nothing, when the channel product is older than the stored one.
    """
    await repository.lock_account(connection, account_id)
    stored = await repository.get_channel_product(
        connection, account_id, payload.integration_id, payload.channel_product_id
    )
    if (
        stored is not None
        and stored["channel_updated_at"] is not None
        and payload.updated_at is not None
        and payload.updated_at < stored["channel_updated_at"]
    ):
        logger.info(
            "skipped channel product older than the stored one",
            extra={
                "account_id": account_id,
                "integration_id": payload.integration_id,
                "channel_product_id": payload.channel_product_id,
            },
        )
        return False

    # A new row starts unmatched. An existing row keeps its link until linking below moves it.
    await repository.upsert_channel_product(connection, account_id, payload, unmatched_reason="not linked yet")
    row = await repository.get_channel_product(
        connection, account_id, payload.integration_id, payload.channel_product_id
    )
    source = await current_source(connection, account_id)

    resolved = await resolve_master(connection, account_id, payload.integration_id, payload.channel_sku)
    if resolved is not None and resolved == row["master_sku"] and not row["problems"]:
        master = await repository.get_product(connection, account_id, resolved)
        if source_rules.integration_may_update(
            source=source,
            channel=row["channel"],
            integration_id=payload.integration_id,
            owner_integration_id=master["owner_integration_id"],
        ):
            await _update_master_from_channel(connection, account_id, resolved, row, changes)
        return True

    await link_channel_product(connection, account_id, row, source, changes)
    return True
