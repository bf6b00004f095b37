"""Product push (`products=push`): master products to TikTok with Create Product and Edit Product.

The Kafka handler only records that a TikTok product is due (`mark_changed`);
the sync round sends the due products (`push_products`). Each product's state
is a revision counter, so several catalog changes before a round coalesce into
one call. Every SKU's outcome is published as `product.push_result`.
"""

import logging
from typing import Any

import asyncpg
from crossdock_common.events import entity_key
from crossdock_common.events.payloads.product import ProductPayload
from crossdock_common.http import ClientError

from crossdock_tiktok_connector.adapters import repository
from crossdock_tiktok_connector.adapters.client import TikTokClient
from crossdock_tiktok_connector.adapters.errors import ReauthorizationRequiredError
from crossdock_tiktok_connector.domain.product_push import (
    ProductDataError,
    build_product_body,
    group_sku,
    split_group,
    syncs_to,
)
from crossdock_tiktok_connector.domain.settings import PUSH_REGIONS, IntegrationSettings
from crossdock_tiktok_connector.service.integrations import Connector

logger = logging.getLogger(__name__)

# A transient failure (network, 5xx, rate limit after the client's own retries) is retried in later rounds.
# The delay doubles after each attempt, and after MAX_ATTEMPTS the product is marked failed.
MAX_ATTEMPTS = 5
RETRY_DELAY_SECONDS = 30
PRODUCTS_PER_ROUND = 100
# Search Products accepts at most 10 seller SKUs per call.
SEARCH_SKUS_MAX = 10


async def mark_changed(
    runtime: Any, connection: asyncpg.Connection, *, account_id: str, product: ProductPayload
) -> bool:
    """Mark the product's TikTok product due on every `products=push` integration of the account.

    Runs in the consumer's transaction. Returns whether any integration needs a push round.
    """
    rows = await connection.fetch(
        "SELECT id FROM integrations WHERE account_id = $1 AND settings->>'products' = 'push'", account_id
    )
    data = product.model_dump(mode="json")
    marked = False
    for row in rows:
        marked = await _mark(runtime, connection, row["id"], account_id, data) or marked
    return marked


async def mark_all(runtime: Any, connection: asyncpg.Connection, *, account_id: str, integration_id: str) -> int:
    """Mark every master product of the account due on one integration, e.g. when it switches to push."""
    rows = await connection.fetch(
        "SELECT product FROM master_skus WHERE account_id = $1 AND product->>'status' <> 'deleted' ORDER BY sku",
        account_id,
    )
    marked = 0
    for row in rows:
        marked += await _mark(runtime, connection, integration_id, account_id, row["product"])
    return marked


async def _mark(
    runtime: Any, connection: asyncpg.Connection, integration_id: str, account_id: str, data: dict[str, Any]
) -> bool:
    """Bump the revision of the master's TikTok product and publish `pending` for its SKU when it was not pending."""
    sku = data["sku"]
    group = group_sku(data)
    previous = await connection.fetchval(
        "SELECT status FROM product_pushes WHERE integration_id = $1 AND sku = $2", integration_id, sku
    )
    # A master with sync turned off is still marked when it was pushed before, so an edit removes its SKU.
    if not syncs_to(data, integration_id) and previous is None:
        return False

    await connection.execute(
        "INSERT INTO pushed_products (integration_id, group_sku, account_id) VALUES ($1, $2, $3) "
        "ON CONFLICT (integration_id, group_sku) DO UPDATE SET revision = pushed_products.revision + 1, "
        "status = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = now()",
        integration_id,
        group,
        account_id,
    )
    if data.get("product_type") == "parent":
        return True

    await connection.execute(
        "INSERT INTO product_pushes (integration_id, sku, account_id, group_sku) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (integration_id, sku) DO UPDATE SET status = 'pending', group_sku = EXCLUDED.group_sku, "
        "account_id = EXCLUDED.account_id, updated_at = now()",
        integration_id,
        sku,
        account_id,
        group,
    )
    if previous != "pending":
        await _publish_result(runtime, connection, account_id, integration_id, sku, "pending", None)
    return True


async def push_products(connector: Connector, integration_id: str) -> dict[str, int]:
    """Create or edit every due TikTok product of one integration; return counts per outcome."""
    async with connector.pool.acquire() as connection:
        row = await repository.integration(connection, integration_id)
        due = await connection.fetch(
            "SELECT group_sku, account_id, product_id, revision, attempts FROM pushed_products "
            "WHERE integration_id = $1 AND revision > pushed_revision "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= now()) ORDER BY group_sku LIMIT $2",
            integration_id,
            PRODUCTS_PER_ROUND,
        )
    counts = {"succeeded": 0, "failed": 0, "retrying": 0}
    if not due:
        return counts

    settings = IntegrationSettings.model_validate(row["settings"])
    region = (row["shop"] or {}).get("region")
    if settings.products != "push" or region not in PUSH_REGIONS:
        # The settings API rejects push outside US and GB. This check covers rows queued before a shop change.
        message = (
            f"product push is off for this integration (products={settings.products}, shop region {region}): "
            "products are pushed only with products=push on a US or GB shop"
        )
        logger.warning("product push skipped: %s", message, extra={"integration_id": integration_id})
        for group in due:
            await _finish(connector, integration_id, group, "failed", message)
            counts["failed"] += 1
        return counts

    warehouse_id = _listing_warehouse(row["warehouses"] or [])
    async with connector.shop_client(row) as client:
        for group in due:
            outcome = await _push_group(connector, client, integration_id, group, settings, warehouse_id)
            counts[outcome] += 1
    return counts


async def _push_group(
    connector: Connector,
    client: TikTokClient,
    integration_id: str,
    group: asyncpg.Record,
    settings: IntegrationSettings,
    warehouse_id: str | None,
) -> str:
    """Send one TikTok product and record the outcome; return `succeeded`, `failed` or `retrying`."""
    async with connector.pool.acquire() as connection:
        masters = await connection.fetch(
            "SELECT product FROM master_skus WHERE account_id = $1 AND (sku = $2 OR product->>'parent_sku' = $2)",
            group["account_id"],
            group["group_sku"],
        )
        known = await connection.fetch(
            "SELECT sku, sku_id FROM product_pushes "
            "WHERE integration_id = $1 AND group_sku = $2 AND sku_id IS NOT NULL",
            integration_id,
            group["group_sku"],
        )
    head, skus = split_group(group["group_sku"], [record["product"] for record in masters], integration_id)
    product_id = group["product_id"]
    sku_ids = {record["sku"]: record["sku_id"] for record in known} if product_id else {}

    try:
        if product_id is None:
            product_id, sku_ids = await _find_listed(client, [master["sku"] for master in skus])
        body = build_product_body(
            group=group["group_sku"],
            head=head,
            skus=skus,
            default_category_id=settings.defaultCategoryId,
            warehouse_id=warehouse_id,
            sku_ids=sku_ids,
        )
        if product_id is None:
            data = await client.create_product(body)
        else:
            data = await client.edit_product(product_id, body)
    except ProductDataError as error:
        logger.warning("product push rejected: %s", error, extra={"integration_id": integration_id})
        await _finish(connector, integration_id, group, "failed", str(error), skus=skus)
        return "failed"
    except ReauthorizationRequiredError:
        raise
    except ClientError as error:
        return await _failed_call(connector, integration_id, group, skus, error)

    product_id = str(data.get("product_id") or product_id)
    returned = {str(sku.get("seller_sku")): str(sku["id"]) for sku in data.get("skus") or [] if sku.get("id")}
    warnings = "; ".join(str(w.get("message")) for w in data.get("warnings") or [] if w.get("message")) or None
    await _finish(
        connector,
        integration_id,
        group,
        "succeeded",
        warnings,
        skus=skus,
        product_id=product_id,
        sku_ids={**sku_ids, **returned},
    )
    return "succeeded"


async def _failed_call(
    connector: Connector, integration_id: str, group: asyncpg.Record, skus: list[dict], error: ClientError
) -> str:
    attempts = group["attempts"] + 1
    if error.retriable and attempts < MAX_ATTEMPTS:
        delay = RETRY_DELAY_SECONDS * 2 ** (attempts - 1)
        logger.warning(
            "product push of %s failed (attempt %s of %s), retrying in %s s: %s",
            group["group_sku"],
            attempts,
            MAX_ATTEMPTS,
            delay,
            error,
            extra={"integration_id": integration_id},
        )
        async with connector.pool.acquire() as connection:
            await connection.execute(
                "UPDATE pushed_products SET attempts = $3, message = $4, "
                "next_attempt_at = now() + make_interval(secs => $5), updated_at = now() "
                "WHERE integration_id = $1 AND group_sku = $2",
                integration_id,
                group["group_sku"],
                attempts,
                str(error),
                float(delay),
            )
        return "retrying"

    logger.error("product push of %s failed: %s", group["group_sku"], error, extra={"integration_id": integration_id})
    await _finish(connector, integration_id, group, "failed", str(error), skus=skus)
    return "failed"


async def _find_listed(client: TikTokClient, skus: list[str]) -> tuple[str | None, dict[str, str]]:
    """Find a TikTok product that already lists one of these seller SKUs, so a lost create result makes no duplicate."""
    for start in range(0, len(skus), SEARCH_SKUS_MAX):
        chunk = skus[start : start + SEARCH_SKUS_MAX]
        data = await client.search_products_page({"seller_skus": chunk}, None)
        for product in data.get("products") or []:
            if product.get("status") in ("DELETED", "FREEZE"):
                continue
            listed = {str(sku.get("seller_sku")): str(sku["id"]) for sku in product.get("skus") or []}
            # NOTE: the next edit replaces this product's SKU list, so SKUs listed there that are not
            # variants of the master are deleted from it, as TikTok's Edit Product does.
            if any(sku in listed for sku in chunk):
                return str(product["id"]), listed
    return None, {}


async def _finish(
    connector: Connector,
    integration_id: str,
    group: asyncpg.Record,
    status: str,
    message: str | None,
    *,
    skus: list[dict] | None = None,
    product_id: str | None = None,
    sku_ids: dict[str, str] | None = None,
) -> None:
    """Store the outcome of the revision that was sent, and publish it for each SKU.

    A change recorded while the call ran raised the revision past the one sent,
    so the product stays due and goes out in the next round.
    """
    runtime = connector.runtime
    account_id = group["account_id"]
    async with connector.pool.acquire() as connection, connection.transaction():
        await connection.execute(
            "UPDATE pushed_products SET status = $3, message = $4, product_id = COALESCE($5, product_id), "
            "pushed_revision = GREATEST(pushed_revision, $6), attempts = 0, next_attempt_at = NULL, "
            "pushed_at = CASE WHEN $3 = 'succeeded' THEN now() ELSE pushed_at END, updated_at = now() "
            "WHERE integration_id = $1 AND group_sku = $2",
            integration_id,
            group["group_sku"],
            status,
            message,
            product_id,
            group["revision"],
        )
        if skus is None:
            names = await connection.fetch(
                "SELECT sku FROM product_pushes WHERE integration_id = $1 AND group_sku = $2",
                integration_id,
                group["group_sku"],
            )
            skus = [{"sku": record["sku"]} for record in names]
        for master in skus:
            sku = master["sku"]
            await connection.execute(
                "INSERT INTO product_pushes (integration_id, sku, account_id, group_sku, status, message, "
                "product_id, sku_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                "ON CONFLICT (integration_id, sku) DO UPDATE SET status = EXCLUDED.status, "
                "message = EXCLUDED.message, group_sku = EXCLUDED.group_sku, "
                "product_id = COALESCE(EXCLUDED.product_id, product_pushes.product_id), "
                "sku_id = COALESCE(EXCLUDED.sku_id, product_pushes.sku_id), updated_at = now()",
                integration_id,
                sku,
                account_id,
                group["group_sku"],
                status,
                message,
                product_id,
                (sku_ids or {}).get(sku),
            )
            await _publish_result(runtime, connection, account_id, integration_id, sku, status, message)


async def _publish_result(
    runtime: Any,
    connection: asyncpg.Connection,
    account_id: str,
    integration_id: str,
    sku: str,
    status: str,
    message: str | None,
) -> None:
    event = runtime.event(
        type="product.push_result",
        payload={"integration_id": integration_id, "sku": sku, "status": status, "message": message},
        account_id=account_id,
        key=entity_key(account_id, f"{integration_id}:{sku}"),
        integration_id=integration_id,
    )
    await runtime.publish(connection, event)


async def push_status(connection: asyncpg.Connection, integration_id: str) -> list[dict[str, Any]]:
    """Return each TikTok product's push state with its SKUs, for the integration status API."""
    products = await connection.fetch(
        "SELECT group_sku, product_id, status, message, attempts, pushed_at FROM pushed_products "
        "WHERE integration_id = $1 ORDER BY group_sku",
        integration_id,
    )
    skus = await connection.fetch(
        "SELECT group_sku, sku, sku_id, status, message FROM product_pushes WHERE integration_id = $1 ORDER BY sku",
        integration_id,
    )
    by_group: dict[str, list[dict[str, Any]]] = {}
    for record in skus:
        entry = {key: record[key] for key in ("sku", "sku_id", "status", "message")}
        by_group.setdefault(record["group_sku"], []).append(entry)
    return [
        {
            "sku": record["group_sku"],
            "product_id": record["product_id"],
            "status": record["status"],
            "message": record["message"],
            "attempts": record["attempts"],
            "pushed_at": record["pushed_at"].isoformat() if record["pushed_at"] else None,
            "skus": by_group.get(record["group_sku"], []),
        }
        for record in products
    ]


def _listing_warehouse(warehouses: list[dict[str, Any]]) -> str | None:
    """Return the shop's default sales warehouse, else its first one, for the 0-unit stock of new SKUs."""
    default = next((w for w in warehouses if w.get("is_default")), None)
    chosen = default or (warehouses[0] if warehouses else None)
    return str(chosen["id"]) if chosen else None
