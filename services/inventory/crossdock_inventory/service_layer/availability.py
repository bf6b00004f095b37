"""Recompute per-channel availability, publish what changed, and build resync snapshots and simulations."""

import logging
from collections import defaultdict
from dataclasses import dataclass

import asyncpg
from crossdock_common.events import EventEnvelope, entity_key
from crossdock_common.service import ServiceRuntime

from crossdock_inventory.domain.availability import (
    CHANNEL_TYPES,
    ChannelAvailability,
    ChannelOption,
    IntegrationView,
    LocationStock,
    compute,
)

logger = logging.getLogger(__name__)


@dataclass(kw_only=True)
class Product:
    sku: str
    status: str
    options: dict[str, ChannelOption]


async def load_channel_integrations(connection: asyncpg.Connection, account_id: str) -> list[IntegrationView]:
    """Return the account's Mirakl and TikTok integrations that are not deleted."""
    rows = await connection.fetch(
        "SELECT integration_id, type, settings FROM integrations "
        "WHERE account_id = $1 AND NOT deleted AND type = ANY($2::text[]) ORDER BY integration_id",
        account_id,
        list(CHANNEL_TYPES),
    )
    return [IntegrationView(integration_id=r["integration_id"], type=r["type"], settings=r["settings"]) for r in rows]


async def load_products(connection: asyncpg.Connection, account_id: str, skus: list[str]) -> dict[str, Product]:
    rows = await connection.fetch(
        "SELECT sku, status, channel_options FROM products WHERE account_id = $1 AND sku = ANY($2::text[])",
        account_id,
        skus,
    )
    return {row["sku"]: _product(row) for row in rows}


async def load_location_stock(
    connection: asyncpg.Connection, account_id: str, skus: list[str]
) -> dict[str, list[LocationStock]]:
    """Return, per SKU, every location of the account with that SKU's stock there (0 where none)."""
    locations = await connection.fetch(
        "SELECT location_id, name, status, exclude_from_totals, excluded_integration_ids, source_integration_id, "
        "external_code, fulfillment_integration_id FROM locations WHERE account_id = $1 ORDER BY priority, location_id",
        account_id,
    )
    levels = await connection.fetch(
        "SELECT sku, location_id, on_hand, committed FROM stock_levels WHERE account_id = $1 AND sku = ANY($2::text[])",
        account_id,
        skus,
    )
    by_key = {(row["sku"], row["location_id"]): row for row in levels}
    result: dict[str, list[LocationStock]] = {}
    for sku in skus:
        result[sku] = []
        for location in locations:
            level = by_key.get((sku, location["location_id"]))
            result[sku].append(
                LocationStock(
                    location_id=location["location_id"],
                    name=location["name"],
                    status=location["status"],
                    exclude_from_totals=location["exclude_from_totals"],
                    excluded_integration_ids=tuple(location["excluded_integration_ids"]),
                    source_integration_id=location["source_integration_id"],
                    external_code=location["external_code"],
                    fulfillment_integration_id=location["fulfillment_integration_id"],
                    on_hand=level["on_hand"] if level else 0,
                    committed=level["committed"] if level else 0,
                )
            )
    return result


async def load_unallocated(connection: asyncpg.Connection, account_id: str, skus: list[str]) -> dict[str, int]:
    rows = await connection.fetch(
        "SELECT sku, sum(quantity)::int AS quantity FROM commitments WHERE account_id = $1 AND sku = ANY($2::text[]) "
        "AND allocation_ref = '' AND quantity > 0 GROUP BY sku",
        account_id,
        skus,
    )
    return defaultdict(int, {row["sku"]: row["quantity"] for row in rows})


async def compute_for_skus(
    connection: asyncpg.Connection, account_id: str, skus: list[str], *, integration_id: str | None = None
) -> list[ChannelAvailability]:
    """Compute availability of known, not deleted products for every channel integration (or one)."""
    integrations = await load_channel_integrations(connection, account_id)
    if integration_id is not None:
        integrations = [item for item in integrations if item.integration_id == integration_id]
    products = await load_products(connection, account_id, skus)
    known = [sku for sku in skus if sku in products and products[sku].status != "deleted"]
    if not integrations or not known:
        return []
    stock = await load_location_stock(connection, account_id, known)
    unallocated = await load_unallocated(connection, account_id, known)
    tracked = await load_tracked_skus(connection, account_id, known)

    results = []
    for sku in known:
        for integration in integrations:
            result = compute(
                integration=integration,
                sku=sku,
                product_status=products[sku].status,
                option=products[sku].options.get(integration.integration_id),
                locations=stock[sku],
                unallocated_committed=unallocated[sku],
            )
            if sku not in tracked and result.dropped_by is None:
                result.dropped_by = UNTRACKED
                result.notes.append(UNTRACKED_NOTE)
            results.append(result)
    return results


UNTRACKED = "no stock recorded in the hub"
UNTRACKED_NOTE = (
    "no stock was ever set, adjusted or imported for this SKU in the hub, so nothing is sent and the channel "
    "keeps its own figure; set or import stock at a location to start sending it"
)


async def load_tracked_skus(connection: asyncpg.Connection, account_id: str, skus: list[str]) -> set[str]:
    """Return the SKUs whose stock the hub manages: set, adjusted or imported at least once.

    A master that only exists in the catalog must not send 0 to a channel: when
    a shop is connected before its stock is loaded, that 0 would wipe every
    offer's real quantity on the marketplace.
    """
    rows = await connection.fetch(
        "SELECT wanted.sku FROM unnest($2::text[]) AS wanted(sku) WHERE EXISTS (SELECT 1 FROM movements AS m "
        "WHERE m.account_id = $1 AND m.sku = wanted.sku AND m.cause IN ('adjustment', 'import'))",
        account_id,
        skus,
    )
    return {row["sku"] for row in rows}


async def publish_availability(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    account_id: str,
    results: list[ChannelAvailability],
    *,
    snapshot_id: str | None = None,
    cause_event: EventEnvelope | None = None,
) -> int:
    """Publish each figure that differs from the last one published (every figure for a snapshot).

    Return the number of events queued. SKUs dropped by an allow or block list are skipped.
    """
    publishable = [result for result in results if result.publishable]
    if not publishable:
        return 0
    last = await connection.fetch(
        "SELECT integration_id, sku, channel_warehouse_id, channel_sku, quantity FROM published_availability "
        "WHERE account_id = $1 AND sku = ANY($2::text[])",
        account_id,
        sorted({result.sku for result in publishable}),
    )
    previous = {
        (row["integration_id"], row["sku"], row["channel_warehouse_id"]): (row["quantity"], row["channel_sku"])
        for row in last
    }

    published = 0
    for result in publishable:
        for figure in result.figures:
            warehouse_key = figure.channel_warehouse_id or ""
            current = (figure.quantity, result.channel_sku)
            if snapshot_id is None and previous.get((result.integration_id, result.sku, warehouse_key)) == current:
                continue
            await _publish_figure(connection, runtime, account_id, result, figure, snapshot_id, cause_event)
            published += 1
    return published


async def _publish_figure(connection, runtime, account_id, result, figure, snapshot_id, cause_event) -> None:
    event = runtime.event(
        type="availability.changed",
        payload={
            "integration_id": result.integration_id,
            "sku": result.sku,
            "channel_sku": result.channel_sku,
            "channel_warehouse_id": figure.channel_warehouse_id,
            "quantity": figure.quantity,
            "snapshot": snapshot_id is not None,
            "snapshot_id": snapshot_id,
        },
        account_id=account_id,
        key=entity_key(account_id, f"{result.integration_id}:{result.sku}"),
        integration_id=result.integration_id,
        cause=cause_event,
    )
    await runtime.publish(connection, event)
    await connection.execute(
        "INSERT INTO published_availability (account_id, integration_id, sku, channel_warehouse_id, channel_sku, "
        "quantity) VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (account_id, integration_id, sku, channel_warehouse_id) DO UPDATE "
        "SET channel_sku = EXCLUDED.channel_sku, quantity = EXCLUDED.quantity, published_at = now()",
        account_id,
        result.integration_id,
        result.sku,
        figure.channel_warehouse_id or "",
        result.channel_sku,
        figure.quantity,
    )


async def flush_dirty(connection: asyncpg.Connection, runtime: ServiceRuntime, *, batch: int) -> tuple[int, int]:
    """Recompute up to `batch` queued SKUs, publish what changed, and return (SKUs, events).

    The queue is append-only: a change inserts a mark and never waits for a
    publish. This run deletes exactly the marks it read, so a mark committed
    after the read stays queued for the next run, even if its id is lower.
    A transaction-level advisory lock lets one replica publish at a time, so two
    replicas never publish the same figure twice.
    """
    if not await connection.fetchval("SELECT pg_try_advisory_xact_lock(hashtext('crossdock.inventory.availability'))"):
        return 0, 0
    rows = await connection.fetch(
        "SELECT account_id, sku, array_agg(id) AS mark_ids FROM dirty_marks GROUP BY account_id, sku "
        "ORDER BY min(id) LIMIT $1",
        batch,
    )
    if not rows:
        return 0, 0
    by_account: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_account[row["account_id"]].append(row["sku"])

    events = 0
    for account_id, skus in by_account.items():
        results = await compute_for_skus(connection, account_id, skus)
        events += await publish_availability(connection, runtime, account_id, results)
    await connection.execute(
        "DELETE FROM dirty_marks WHERE id = ANY($1::bigint[])", [mark for row in rows for mark in row["mark_ids"]]
    )
    return len(rows), events


async def resync_integration(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    *,
    account_id: str,
    integration_id: str,
    snapshot_id: str,
    cause_event: EventEnvelope | None = None,
) -> int:
    """Publish the current availability of every SKU for one integration as a snapshot, and return the event count."""
    skus = [
        row["sku"]
        for row in await connection.fetch(
            "SELECT sku FROM products WHERE account_id = $1 AND status <> 'deleted' ORDER BY sku", account_id
        )
    ]
    total = 0
    for start in range(0, len(skus), 1000):
        chunk = skus[start : start + 1000]
        results = await compute_for_skus(connection, account_id, chunk, integration_id=integration_id)
        total += await publish_availability(
            connection, runtime, account_id, results, snapshot_id=snapshot_id, cause_event=cause_event
        )
    return total


def _product(row: asyncpg.Record) -> Product:
    options: dict[str, ChannelOption] = {}
    for item in row["channel_options"] or []:
        options[item["integration_id"]] = ChannelOption(
            sync_to_channel=bool(item.get("sync_to_channel", True)),
            inventory_buffer=int(item.get("inventory_buffer", 0)),
            channel_sku=item.get("channel_sku"),
        )
    return Product(sku=row["sku"], status=row["status"], options=options)
