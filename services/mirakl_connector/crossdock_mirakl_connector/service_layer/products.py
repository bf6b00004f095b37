"""Products: catalog projections (SKU mappings, catalog source) and the offers pull (OF21 + P31).

With `products=pull` every offer becomes a `channel_product.upserted` keyed by
its offer SKU, enriched with the operator's product data from P31 (title and
category by EAN or UPC). Only changed offers are published again.
"""

import hashlib
import json
import logging
from typing import Any

import asyncpg
from crossdock_common.events import entity_key
from crossdock_common.events.payloads.product import ProductPayload
from crossdock_common.service import ServiceRuntime

from crossdock_mirakl_connector.adapters.mirakl import offers as offers_api
from crossdock_mirakl_connector.adapters.mirakl import products as products_api
from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient
from crossdock_mirakl_connector.domain.settings import IntegrationSettings
from crossdock_mirakl_connector.service_layer import locations, offer_push, product_push

logger = logging.getLogger(__name__)

JOB = "products"
OFFERS_PAGE_SIZE = 100
# P31 reference types usable to read operator product data (SHOP_SKU and SKU are rejected).
PRODUCT_REFERENCE_TYPES = ("EAN", "UPC", "ISBN")


async def apply_product(connection: asyncpg.Connection, event) -> None:
    """Project `product.upserted` into SKU mappings for this service's integrations of the account."""
    product = event.payload
    integrations = await connection.fetch("SELECT * FROM integrations WHERE account_id = $1", event.account_id)
    options = {option.integration_id: option for option in product.channel_options}
    for row in integrations:
        option = options.get(row["integration_id"])
        channel_sku = option.channel_sku if option and option.channel_sku else product.sku
        await connection.execute(
            "INSERT INTO sku_mappings (integration_id, master_sku, channel_sku, sync_to_channel, product) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (integration_id, master_sku) DO UPDATE SET "
            "channel_sku = EXCLUDED.channel_sku, sync_to_channel = EXCLUDED.sync_to_channel, "
            "product = EXCLUDED.product, updated_at = now()",
            row["integration_id"],
            product.sku,
            channel_sku,
            option.sync_to_channel if option else True,
            product.model_dump(mode="json"),
        )
        settings = IntegrationSettings.model_validate(row["settings"])
        if settings.products == "push":
            await _mark_for_push(connection, row, product, option)


async def _mark_for_push(connection: asyncpg.Connection, integration: asyncpg.Record, product, option) -> None:
    if (option is None or option.sync_to_channel) and product.status == "active":
        await product_push.mark_product(connection, integration, product, option)
        await offer_push.mark_offer(connection, integration, product, option)
    else:
        await offer_push.withdraw_offer(connection, integration["integration_id"], product.sku)


async def queue_known_masters(connection: asyncpg.Connection, integration: asyncpg.Record) -> int:
    """Mark every master of the account seen so far for push or withdrawal; return how many masters were read.

    Catalog publishes a master only when it changes, so without this step a
    master that existed before `products=push` was set would never be sent.
    The newest payload stored for any integration of the account is used.
    """
    # NOTE: a master whose last event arrived before any Mirakl integration of the account
    # existed, or before payloads were stored, has no row here; it is sent at its next change.
    rows = await connection.fetch(
        "SELECT DISTINCT ON (m.master_sku) m.product FROM sku_mappings m "
        "JOIN integrations i ON i.integration_id = m.integration_id "
        "WHERE i.account_id = $1 AND m.product IS NOT NULL ORDER BY m.master_sku, m.updated_at DESC",
        integration["account_id"],
    )
    for row in rows:
        product = ProductPayload.model_validate(row["product"])
        options = {option.integration_id: option for option in product.channel_options}
        await _mark_for_push(connection, integration, product, options.get(integration["integration_id"]))
    logger.info(
        "queued %d known master(s) for push", len(rows), extra={"integration_id": integration["integration_id"]}
    )
    return len(rows)


async def delete_product(connection: asyncpg.Connection, event) -> None:
    """Drop a deleted master's SKU mappings and mark the offers this connector created for it for deletion."""
    integration_ids = await connection.fetch(
        "SELECT integration_id FROM integrations WHERE account_id = $1", event.account_id
    )
    await connection.execute(
        "DELETE FROM sku_mappings WHERE master_sku = $1 AND integration_id IN "
        "(SELECT integration_id FROM integrations WHERE account_id = $2)",
        event.payload.sku,
        event.account_id,
    )
    for row in integration_ids:
        await offer_push.withdraw_offer(connection, row["integration_id"], event.payload.sku)


async def walk_offers(client: MiraklClient) -> list[dict[str, Any]]:
    """Read every offer of the shop with OF21 pages of 100."""
    offers: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = await offers_api.list_offers_page(client, offset=offset, max_results=OFFERS_PAGE_SIZE)
        offers.extend(page["offers"])
        offset += len(page["offers"])
        if len(page["offers"]) < OFFERS_PAGE_SIZE or offset >= page["total_count"]:
            return offers


async def product_data(client: MiraklClient, offers: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Read operator product data (P31) for the offers' EAN/UPC references, keyed by Mirakl product SKU."""
    references: list[tuple[str, str]] = []
    for offer in offers:
        for reference in offer.get("product_references") or []:
            kind = str(reference.get("reference_type") or "").upper()
            if kind in PRODUCT_REFERENCE_TYPES and reference.get("reference"):
                references.append((kind, str(reference["reference"])))
    references = list(dict.fromkeys(references))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(references), products_api.MAX_REFERENCES_PER_CALL):
        chunk = references[start : start + products_api.MAX_REFERENCES_PER_CALL]
        for product in await products_api.list_products(client, chunk):
            found.setdefault(str(product.get("product_sku")), product)
    return found


def channel_product(integration_id: str, offer: dict[str, Any], product: dict[str, Any] | None) -> dict[str, Any]:
    gtin = next(
        (
            str(reference["reference"])
            for reference in offer.get("product_references") or []
            if str(reference.get("reference_type") or "").upper() in ("EAN", "UPC")
        ),
        None,
    )
    attributes = {}
    category = (product or {}).get("category_label") or offer.get("category_label")
    if category:
        attributes["category"] = str(category)
    if offer.get("product_brand"):
        attributes["brand"] = str(offer["product_brand"])
    problems = [] if product else ["no P31 product data for this offer's references"]
    return {
        "integration_id": integration_id,
        "channel": "mirakl",
        "channel_product_id": str(offer.get("product_sku") or offer["shop_sku"]),
        "channel_sku": str(offer["shop_sku"]),
        "title": str((product or {}).get("product_title") or offer.get("product_title") or ""),
        "description": offer.get("description") or None,
        "gtin": gtin,
        "price": offer.get("price"),
        "currency": offer.get("currency_iso_code"),
        "attributes": attributes,
        "status": "active" if offer.get("active", True) else "inactive",
        "problems": problems,
    }


async def pull(runtime: ServiceRuntime, integration: asyncpg.Record, client: MiraklClient) -> dict[str, int]:
    """Pull offers: publish changed channel products (products=pull) and warehouse codes (pullLocations)."""
    settings = IntegrationSettings.model_validate(integration["settings"])
    counts = {"offers_read": 0, "products_published": 0, "locations_discovered": 0}
    if settings.products != "pull" and not settings.pullLocations:
        return counts
    offers = await walk_offers(client)
    counts["offers_read"] = len(offers)
    products = await product_data(client, offers) if settings.products == "pull" else {}

    async with runtime.pool.acquire() as connection, connection.transaction():
        if settings.pullLocations:
            counts["locations_discovered"] = await locations.note_offer_warehouses(
                runtime, connection, integration, offers
            )
        if settings.products == "pull":
            for offer in offers:
                payload = channel_product(
                    integration["integration_id"], offer, products.get(str(offer.get("product_sku")))
                )
                if await _publish_if_changed(runtime, connection, integration, payload):
                    counts["products_published"] += 1
    return counts


async def _publish_if_changed(
    runtime: ServiceRuntime, connection: asyncpg.Connection, integration: asyncpg.Record, payload: dict[str, Any]
) -> bool:
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    changed = await connection.fetchval(
        "INSERT INTO channel_products (integration_id, channel_sku, content_hash) VALUES ($1, $2, $3) "
        "ON CONFLICT (integration_id, channel_sku) DO UPDATE SET content_hash = EXCLUDED.content_hash, "
        "updated_at = now() WHERE channel_products.content_hash <> EXCLUDED.content_hash RETURNING true",
        integration["integration_id"],
        payload["channel_sku"],
        digest,
    )
    if not changed:
        return False
    event = runtime.event(
        type="channel_product.upserted",
        payload=payload,
        account_id=integration["account_id"],
        key=entity_key(integration["account_id"], f"{integration['integration_id']}:{payload['channel_sku']}"),
        integration_id=integration["integration_id"],
    )
    await runtime.publish(connection, event)
    return True
