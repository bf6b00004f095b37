"""Inventory push: coalesced wanted quantities per SKU and TikTok warehouse, sent one call per product."""

import logging
from datetime import datetime
from typing import Any

from crossdock_tiktok_connector.adapters import repository
from crossdock_tiktok_connector.adapters.client import TikTokClient
from crossdock_tiktok_connector.adapters.errors import TikTokApiError
from crossdock_tiktok_connector.domain.inventory import build_sku_update, clamp_quantity
from crossdock_tiktok_connector.service.integrations import Connector

logger = logging.getLogger(__name__)


async def record_availability(
    connection: Any, *, integration_id: str, sku: str, warehouse_id: str | None, quantity: int, wanted_at: datetime
) -> None:
    """Keep the newest wanted quantity of a SKU and warehouse; an older event never overwrites a newer one.

    A null warehouse ('') means one figure for the SKU; the push applies it to the SKU's default warehouse.
    """
    await connection.execute(
        "INSERT INTO inventory_updates (integration_id, sku, warehouse_id, quantity, wanted_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (integration_id, sku, warehouse_id) DO UPDATE "
        "SET quantity = EXCLUDED.quantity, wanted_at = EXCLUDED.wanted_at, status = 'pending', message = NULL "
        "WHERE inventory_updates.wanted_at <= EXCLUDED.wanted_at",
        integration_id,
        sku,
        warehouse_id or "",
        quantity,
        wanted_at,
    )


async def push_inventory(connector: Connector, integration_id: str) -> dict[str, int]:
    """Send every pending quantity, grouped into one inventory update per TikTok product."""
    async with connector.pool.acquire() as connection:
        row = await repository.integration(connection, integration_id)
        pending = await connection.fetch(
            "SELECT sku, warehouse_id, quantity, wanted_at FROM inventory_updates "
            "WHERE integration_id = $1 AND status = 'pending' ORDER BY sku, warehouse_id",
            integration_id,
        )
    if not pending:
        return {"products": 0, "skus": 0}

    wanted: dict[str, dict[str, tuple[int, datetime]]] = {}
    for entry in pending:
        wanted.setdefault(entry["sku"], {})[entry["warehouse_id"]] = (entry["quantity"], entry["wanted_at"])

    async with connector.shop_client(row) as client:
        index = await _sku_index(client, list(wanted))
        by_product: dict[str, list[str]] = {}
        for sku in wanted:
            if sku in index:
                by_product.setdefault(index[sku]["product_id"], []).append(sku)
            else:
                await _mark(
                    connector,
                    integration_id,
                    sku,
                    None,
                    "not_listed",
                    f"SKU {sku!r} has no TikTok product with this seller_sku; the next stock change "
                    "or a force resync pushes it once a TikTok product lists it",
                )

        for product_id, skus in by_product.items():
            await _push_product(
                connector, client, integration_id, product_id, {sku: index[sku] for sku in skus}, wanted
            )
    return {"products": len(by_product), "skus": sum(len(skus) for skus in by_product.values())}


async def _push_product(
    connector: Connector,
    client: TikTokClient,
    integration_id: str,
    product_id: str,
    skus: dict[str, dict[str, Any]],
    wanted: dict[str, dict[str, tuple[int, datetime]]],
) -> None:
    body = []
    notes: dict[str, str] = {}
    for sku, info in skus.items():
        quantities: dict[str, int] = {}
        for warehouse_id, (quantity, _at) in wanted[sku].items():
            target = warehouse_id or info["default_warehouse"]
            clamped = clamp_quantity(quantity)
            if clamped.adjusted_from is not None:
                notes[sku] = f"quantity {clamped.adjusted_from} clamped to {clamped.quantity} (TikTok maximum)"
                logger.warning(
                    "inventory for %s in warehouse %s clamped from %s to %s",
                    sku,
                    target,
                    clamped.adjusted_from,
                    clamped.quantity,
                    extra={"integration_id": integration_id},
                )
            if target not in info["warehouses"]:
                notes[sku] = f"warehouse {target} is not assigned to SKU {sku!r} on TikTok; its quantity was not sent"
                continue
            quantities[target] = clamped.quantity
        body.append(
            {
                "id": info["sku_id"],
                "inventory": build_sku_update(sku_id=info["sku_id"], assigned=info["warehouses"], wanted=quantities),
            }
        )

    try:
        data = await client.update_inventory(product_id, body)
    except TikTokApiError as error:
        for sku in skus:
            await _mark(connector, integration_id, sku, None, "failed", str(error))
        return

    failed = {
        str((item.get("detail") or {}).get("sku_id")): f"{item.get('code')}: {item.get('message')}"
        for item in data.get("errors") or []
    }
    by_sku_id = {info["sku_id"]: sku for sku, info in skus.items()}
    for sku_id, message in failed.items():
        if sku_id in by_sku_id:
            await _mark(connector, integration_id, by_sku_id[sku_id], None, "failed", message)
    for sku, info in skus.items():
        if info["sku_id"] not in failed:
            await _mark(connector, integration_id, sku, wanted[sku], "pushed", notes.get(sku))


async def _mark(
    connector: Connector, integration_id: str, sku: str, sent: Any, status: str, message: str | None
) -> None:
    async with connector.pool.acquire() as connection:
        if status == "pushed":
            # Only the quantities that were sent become pushed. A newer quantity recorded
            # while the call was in flight stays pending, so the next round sends it.
            for warehouse_id, (quantity, wanted_at) in sent.items():
                await connection.execute(
                    "UPDATE inventory_updates SET status = 'pushed', message = $4, pushed_at = now(), "
                    "pushed_quantity = quantity WHERE integration_id = $1 AND sku = $2 AND warehouse_id = $3 "
                    "AND status = 'pending' AND quantity = $5 AND wanted_at = $6",
                    integration_id,
                    sku,
                    warehouse_id,
                    message,
                    quantity,
                    wanted_at,
                )
            return
        await connection.execute(
            "UPDATE inventory_updates SET status = $3, message = $4, pushed_at = CASE WHEN $3 = 'pushed' THEN now() "
            "ELSE pushed_at END, pushed_quantity = CASE WHEN $3 = 'pushed' THEN quantity ELSE pushed_quantity END "
            "WHERE integration_id = $1 AND sku = $2 AND status = 'pending'",
            integration_id,
            sku,
            status,
            message,
        )


async def _sku_index(client: TikTokClient, skus: list[str]) -> dict[str, dict[str, Any]]:
    """Find product id, SKU id and assigned warehouses (with current quantities) by seller SKU, ten per search."""
    index: dict[str, dict[str, Any]] = {}
    for start in range(0, len(skus), 10):
        chunk = skus[start : start + 10]
        token = None
        while True:
            data = await client.search_products_page({"seller_skus": chunk}, token)
            for product in data.get("products") or []:
                for sku in product.get("skus") or []:
                    seller_sku = sku.get("seller_sku") or ""
                    if seller_sku in chunk:
                        warehouses = {
                            str(entry["warehouse_id"]): int(entry.get("quantity") or 0)
                            for entry in sku.get("inventory") or []
                        }
                        index[seller_sku] = {
                            "product_id": str(product["id"]),
                            "sku_id": str(sku["id"]),
                            "warehouses": warehouses,
                            "default_warehouse": next(iter(warehouses), ""),
                        }
            token = data.get("next_page_token") or None
            if not token:
                break
    return index
