"""The account's catalog source: read it, and change it with the checks that prevent duplicate masters."""

import logging
from typing import Any

import asyncpg
from crossdock_common.events import entity_key
from crossdock_common.service import ServiceRuntime

from crossdock_catalog.adapters import repository
from crossdock_catalog.domain import source as source_rules
from crossdock_catalog.errors import ConflictError
from crossdock_catalog.service_layer.linking import current_source, relink_unmatched
from crossdock_catalog.service_layer.publishing import Changes, publish_changes

logger = logging.getLogger(__name__)


async def read_settings(connection: asyncpg.Connection, account_id: str) -> dict[str, Any]:
    stored = await repository.get_catalog_source(connection, account_id)
    return {
        "catalog_source": stored or source_rules.DEFAULT_CATALOG_SOURCE,
        "is_default": stored is None,
    }


async def switch_impact(connection: asyncpg.Connection, account_id: str, old: str, new: str) -> dict[str, int]:
    """Count what a source switch changes: masters that stop updating and unmatched SKUs that would create masters."""
    old_channels = source_rules.creating_channels(old)
    new_channels = source_rules.creating_channels(new)
    losing = sorted(old_channels - new_channels)
    gaining = sorted(new_channels - old_channels)
    masters_losing_updates = await repository.count_masters_owned_by_channels(connection, account_id, losing)
    skus_creating_masters = await repository.count_unmatched_skus_of_channels(connection, account_id, gaining)
    return {
        "masters_losing_updates": masters_losing_updates,
        "channel_skus_creating_masters": skus_creating_masters,
        "affected_products": masters_losing_updates + skus_creating_masters,
    }


async def change_source(
    connection: asyncpg.Connection, runtime: ServiceRuntime, account_id: str, new_source: str, *, force: bool
) -> dict[str, Any]:
    """Set the catalog source and publish it.

    Once both channels have products here, a switch is rejected unless `force`, because
    a channel that starts creating masters would duplicate products the other created.
    """
    await repository.lock_account(connection, account_id)
    old_source = await current_source(connection, account_id)
    stored = await repository.get_catalog_source(connection, account_id)
    if stored == new_source:
        return {"catalog_source": new_source, "changed": False}

    counts = await repository.channel_counts_by_channel(connection, account_id)
    impact = await switch_impact(connection, account_id, old_source, new_source)
    both_sides = counts.get("mirakl", 0) > 0 and counts.get("tiktok", 0) > 0
    if both_sides and old_source != new_source and not force:
        raise ConflictError(
            f"switching the catalog source from {old_source!r} to {new_source!r} is rejected because products exist "
            f"from both channels ({counts.get('mirakl', 0)} Mirakl, {counts.get('tiktok', 0)} TikTok) and "
            f"{impact['affected_products']} products are affected; it can create duplicate masters. "
            "Repeat with force=true to switch anyway",
            current_source=old_source,
            requested_source=new_source,
            **impact,
        )

    await repository.set_catalog_source(connection, account_id, new_source)
    event = runtime.event(
        type="catalog.settings_changed",
        payload={"catalog_source": new_source},
        account_id=account_id,
        key=entity_key(account_id, "catalog"),
    )
    await runtime.publish(connection, event)
    logger.info(
        "catalog source changed",
        extra={"account_id": account_id, "old_source": old_source, "new_source": new_source, "forced": force},
    )

    changes = Changes()
    gaining = sorted(source_rules.creating_channels(new_source) - source_rules.creating_channels(old_source))
    if gaining:
        await relink_unmatched(connection, account_id, new_source, gaining, changes)
    await publish_changes(connection, runtime, account_id, changes)
    return {"catalog_source": new_source, "changed": True, "previous_source": old_source, "forced": force, **impact}
