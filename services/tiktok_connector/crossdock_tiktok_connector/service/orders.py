"""Order intake: the windowed, paged poll, detail fetches, and `order.received` / `order.updated` events."""

import json
import logging
import time
from typing import Any

from crossdock_common.events import entity_key

from crossdock_tiktok_connector.adapters import repository
from crossdock_tiktok_connector.adapters.client import TikTokClient, follow_pages
from crossdock_tiktok_connector.domain.orders import canonical_order, should_apply
from crossdock_tiktok_connector.service.integrations import Connector

logger = logging.getLogger(__name__)


async def pull_orders(connector: Connector, integration_id: str) -> dict[str, Any]:
    """Poll orders updated since the cursor, page by page, resuming a window a crash interrupted.

    The window and the page token are stored after every page, so a restarted
    worker continues at the page it stopped on instead of skipping or repeating.
    """
    async with connector.pool.acquire() as connection:
        row = await repository.integration(connection, integration_id)
    overlap = connector.settings.order_poll_overlap_seconds
    if row["orders_window_end"] is not None:
        window_end, token = row["orders_window_end"], row["orders_page_token"]
    else:
        window_end, token = int(time.time()), None
    window_start = max((row["orders_cursor"] or 0) - overlap, 0)
    filters = {"update_time_ge": window_start, "update_time_lt": window_end}

    counts = {"pages": 0, "orders": 0, "received": 0, "updated": 0}
    async with connector.shop_client(row) as client:
        pages = follow_pages(lambda page_token: client.search_orders_page(filters, page_token), start_token=token)
        async for data, next_token in pages:
            ids = [str(order["id"]) for order in data.get("orders") or []]
            result = await ingest_orders(connector, client, row, ids)
            counts["pages"] += 1
            counts["orders"] += len(ids)
            counts["received"] += result["received"]
            counts["updated"] += result["updated"]
            async with connector.pool.acquire() as connection:
                await repository.update_integration(
                    connection, integration_id, orders_window_end=window_end, orders_page_token=next_token or None
                )

    summary = {**counts, "window": [window_start, window_end], "finished_at": int(time.time())}
    async with connector.pool.acquire() as connection:
        await repository.update_integration(
            connection,
            integration_id,
            orders_cursor=window_end,
            orders_window_end=None,
            orders_page_token=None,
            last_order_pull=summary,
        )
    logger.info("order poll finished: %s", counts, extra={"integration_id": integration_id})
    return summary


async def ingest_orders(connector: Connector, client: TikTokClient, row: Any, order_ids: list[str]) -> dict[str, int]:
    """Fetch full orders (in chunks of 50 ids) and publish what changed."""
    if not order_ids:
        return {"received": 0, "updated": 0}
    orders = await client.order_details(order_ids)
    result = {"received": 0, "updated": 0}
    for order in orders:
        outcome = await record_order(connector, row, order)
        if outcome:
            result[outcome] += 1
    return result


async def record_order(connector: Connector, row: Any, order: dict[str, Any]) -> str | None:
    """Store one TikTok order and publish it; return 'received', 'updated' or None when nothing changed."""
    integration_id, account_id = row["id"], row["account_id"]
    order_id = str(order["id"])
    async with connector.pool.acquire() as connection, connection.transaction():
        stored = await connection.fetchrow(
            "SELECT channel_status, update_time, published, shipping_document_ref FROM orders "
            "WHERE integration_id = $1 AND order_id = $2 FOR UPDATE",
            integration_id,
            order_id,
        )
        if stored is not None and not should_apply(
            stored_status=stored["channel_status"], stored_update_time=stored["update_time"], incoming=order
        ):
            logger.info(
                "ignored an older or reopening copy of order %s (%s)",
                order_id,
                order.get("status"),
                extra={"integration_id": integration_id},
            )
            return None

        skus = [item.get("seller_sku") or "" for item in order.get("line_items") or []]
        known = await repository.known_master_skus(connection, account_id, skus)
        document = stored["shipping_document_ref"] if stored else None
        payload = canonical_order(
            order, integration_id=integration_id, known_skus=known, shipping_document_ref=document
        )
        comparable = _comparable(payload)
        if stored is not None and stored["published"] == comparable:
            await _store(connection, integration_id, order, comparable)
            return None

        await _store(connection, integration_id, order, comparable)
        event_type = "order.received" if stored is None else "order.updated"
        event = connector.runtime.event(
            type=event_type,
            payload=payload,
            account_id=account_id,
            key=entity_key(account_id, f"tiktok:{order_id}"),
            integration_id=integration_id,
        )
        await connector.runtime.publish(connection, event)
    return "received" if stored is None else "updated"


async def republish_order(connector: Connector, integration_id: str, order_id: str) -> None:
    """Publish `order.updated` from the stored copy, e.g. after the shipping document became known."""
    async with connector.pool.acquire() as connection, connection.transaction():
        row = await repository.integration(connection, integration_id)
        stored = await connection.fetchrow(
            "SELECT raw, shipping_document_ref FROM orders WHERE integration_id = $1 AND order_id = $2 FOR UPDATE",
            integration_id,
            order_id,
        )
        order = stored["raw"]
        skus = [item.get("seller_sku") or "" for item in order.get("line_items") or []]
        known = await repository.known_master_skus(connection, row["account_id"], skus)
        payload = canonical_order(
            order,
            integration_id=integration_id,
            known_skus=known,
            shipping_document_ref=stored["shipping_document_ref"],
        )
        await _store(connection, integration_id, order, _comparable(payload))
        event = connector.runtime.event(
            type="order.updated",
            payload=payload,
            account_id=row["account_id"],
            key=entity_key(row["account_id"], f"tiktok:{order_id}"),
            integration_id=integration_id,
        )
        await connector.runtime.publish(connection, event)


async def _store(connection: Any, integration_id: str, order: dict[str, Any], published: dict[str, Any]) -> None:
    await connection.execute(
        "INSERT INTO orders (integration_id, order_id, channel_status, update_time, fulfillment_type, shipping_type, "
        "raw, published) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (integration_id, order_id) DO UPDATE SET channel_status = EXCLUDED.channel_status, "
        "update_time = EXCLUDED.update_time, fulfillment_type = EXCLUDED.fulfillment_type, "
        "shipping_type = EXCLUDED.shipping_type, raw = EXCLUDED.raw, published = EXCLUDED.published, updated_at = now()",
        integration_id,
        str(order["id"]),
        order.get("status") or "",
        int(order.get("update_time") or 0),
        order.get("fulfillment_type") or "",
        order.get("shipping_type"),
        order,
        published,
    )


def _comparable(payload: dict[str, Any]) -> dict[str, Any]:
    """Return the payload as plain JSON values (amounts and times as strings), so a stored copy compares equal."""
    return json.loads(json.dumps(payload, default=str))
