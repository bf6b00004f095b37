"""Catalog pull: TikTok products as `channel_product.upserted`, one per SKU.

A TikTok SKU must equal the master SKU (TikTok has no channel SKU), so the
seller SKU is the channel SKU. A SKU with an empty seller SKU cannot link and
is listed in the pull report instead of being dropped silently.
"""

import logging
import time
from typing import Any

from crossdock_common.events import entity_key

from crossdock_tiktok_connector.adapters import repository
from crossdock_tiktok_connector.adapters.client import follow_pages
from crossdock_tiktok_connector.service.integrations import Connector

logger = logging.getLogger(__name__)


def channel_products(product: dict[str, Any], integration_id: str) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Map one TikTok product to channel product payloads, and report SKUs without a seller SKU."""
    skus = product.get("skus") or []
    variant = len(skus) > 1
    payloads, skipped = [], []
    for sku in skus:
        seller_sku = sku.get("seller_sku") or ""
        if not seller_sku:
            skipped.append(
                {
                    "product_id": str(product["id"]),
                    "sku_id": str(sku["id"]),
                    "reason": "empty seller_sku: set a seller SKU equal to the master SKU in TikTok Shop",
                }
            )
            continue
        price = sku.get("price") or {}
        payloads.append(
            {
                "integration_id": integration_id,
                "channel": "tiktok",
                "channel_product_id": str(sku["id"]) if variant else str(product["id"]),
                "channel_sku": seller_sku,
                "product_type": "variant" if variant else "simple",
                "parent_channel_product_id": str(product["id"]) if variant else None,
                "title": product.get("title") or "",
                "description": product.get("description"),
                "gtin": (sku.get("identifier_code") or {}).get("code") or None,
                "price": price.get("sale_price") or None,
                "currency": price.get("currency") or None,
                "images": [image.get("uri") or "" for image in product.get("main_images") or [] if image.get("uri")],
                "status": "active" if product.get("status") == "ACTIVATE" else "inactive",
                "attributes": {
                    attribute.get("name", ""): attribute.get("value_name", "")
                    for attribute in sku.get("sales_attributes") or []
                    if attribute.get("name")
                },
            }
        )
    return payloads, skipped


async def pull_products(connector: Connector, integration_id: str) -> dict[str, Any]:
    """Page through the shop's products, fetch each detail, and publish one event per SKU."""
    async with connector.pool.acquire() as connection:
        row = await repository.integration(connection, integration_id)
    published, skipped = 0, []
    async with connector.shop_client(row) as client:
        async for data, _next in follow_pages(lambda token: client.search_products_page({}, token)):
            for summary in data.get("products") or []:
                if summary.get("status") in ("DELETED", "FREEZE"):
                    continue
                product = await client.product(str(summary["id"]))
                payloads, missing = channel_products(product, integration_id)
                skipped.extend(missing)
                async with connector.pool.acquire() as connection, connection.transaction():
                    for payload in payloads:
                        event = connector.runtime.event(
                            type="channel_product.upserted",
                            payload=payload,
                            account_id=row["account_id"],
                            key=entity_key(row["account_id"], f"{integration_id}:{payload['channel_sku']}"),
                            integration_id=integration_id,
                        )
                        await connector.runtime.publish(connection, event)
                published += len(payloads)
    for entry in skipped:
        logger.warning("TikTok SKU not published: %s", entry, extra={"integration_id": integration_id})
    report = {"published": published, "skipped": skipped, "finished_at": int(time.time())}
    async with connector.pool.acquire() as connection:
        await repository.update_integration(connection, integration_id, last_product_pull=report)
    return report
