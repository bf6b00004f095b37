"""Offers push (`products=push`): one Mirakl offer per pushed master product, sent with OF24 and tracked with OF02.

A product imported with P41 is not sellable until the shop has an offer on it.
Catalog events record what each master's offer should be: offer SKU (the
integration's `channel_sku`, else the master SKU), product reference (EAN or
UPC from the GTIN), price, description and the `offerStateCode` condition.
A master with `syncToChannel` off, inactive or deleted gets its offer deleted,
when this connector created one.

OF24 resets every offer field it is not sent: a missing `quantity` becomes 0,
and description, discount, lead time and logistic class are removed. So every
OF24 line carries the whole offer, including the stock that the inventory push
last recorded for the offer SKU: the global quantity (warehouse code ""), or
else the sum of the per-warehouse quantities. The sandbox also drops
per-warehouse stock on OF24, and a STO01 import may land between sending and
applying an OF24 import. Therefore, once an OF24 import completes, the offer's
per-warehouse stock lines, and any line whose quantity differs from the one
sent, are marked for the next STO01 import.

The push job waits while the master's P41 import is unsent or pending, so
the offer never references a product Mirakl does not have yet. A master whose
P41 import failed is still offered, because the product may already exist on
Mirakl. Each offer publishes `product.push_result`: `pending` with the OF24
import id, then `succeeded`, or `failed` with the reason from the OF03 error
report.
"""

import hashlib
import json
import logging
from decimal import Decimal
from typing import Any

import asyncpg
from crossdock_common.http import ClientError
from crossdock_common.service import ServiceRuntime

from crossdock_mirakl_connector.adapters import repository
from crossdock_mirakl_connector.adapters.mirakl import offers as offers_api
from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient
from crossdock_mirakl_connector.domain.settings import IntegrationSettings
from crossdock_mirakl_connector.service_layer.product_push import gtin_type, record_push_result

logger = logging.getLogger(__name__)

PUSH_JOB = "offers_push"
TRACK_JOB = "offers_push_imports"
# Offers per OF24 call. Mirakl publishes no limit for OF24; this keeps one
# request body and its error report small.
MAX_OFFERS_PER_IMPORT = 500
# OF02 states after which the import no longer changes.
FINAL_STATES = ("COMPLETE", "FAILED")


def offer_fields(product, option) -> dict[str, Any]:
    """Return the offer fields of a master product for one integration (the row of `offer_pushes`)."""
    gtin = product.gtin or None
    return {
        "channel_sku": option.channel_sku if option and option.channel_sku else product.sku,
        "action": "offer",
        "product_id": gtin,
        "product_id_type": gtin_type(gtin) if gtin else None,
        "price": None if product.price is None else str(product.price),
        "currency": product.currency,
        "description": product.description,
    }


async def mark_offer(connection: asyncpg.Connection, integration: asyncpg.Record, product, option) -> None:
    """Record the offer a master product should have, marking it changed when an OF24 field changed."""
    fields = offer_fields(product, option)
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
    await connection.execute(
        "INSERT INTO offer_pushes (integration_id, master_sku, account_id, channel_sku, action, product_id, "
        "product_id_type, price, currency, description, content_hash) "
        "VALUES ($1, $2, $3, $4, 'offer', $5, $6, $7::numeric, $8, $9, $10) "
        "ON CONFLICT (integration_id, master_sku) DO UPDATE SET channel_sku = EXCLUDED.channel_sku, "
        "action = 'offer', product_id = EXCLUDED.product_id, product_id_type = EXCLUDED.product_id_type, "
        "price = EXCLUDED.price, currency = EXCLUDED.currency, description = EXCLUDED.description, "
        "dirty = offer_pushes.dirty OR offer_pushes.content_hash <> EXCLUDED.content_hash, "
        "content_hash = EXCLUDED.content_hash, updated_at = now()",
        integration["integration_id"],
        product.sku,
        integration["account_id"],
        fields["channel_sku"],
        fields["product_id"],
        fields["product_id_type"],
        fields["price"],
        fields["currency"],
        fields["description"],
        digest,
    )


async def withdraw_offer(connection: asyncpg.Connection, integration_id: str, master_sku: str) -> None:
    """Mark a master's offer for deletion; only an offer this connector created on Mirakl is deleted."""
    await connection.execute(
        "UPDATE offer_pushes SET action = 'delete', content_hash = 'delete', dirty = on_mirakl, updated_at = now() "
        "WHERE integration_id = $1 AND master_sku = $2 AND action <> 'delete'",
        integration_id,
        master_sku,
    )


def offer_problem(row: asyncpg.Record, shop_currency: str | None) -> str | None:
    """Return why a master cannot be offered, naming the value and the fix, or None when it can."""
    sku = row["master_sku"]
    if not row["product_id"] or not row["product_id_type"]:
        return (
            f"GTIN {row['product_id']!r} of {sku!r} is missing or not an EAN/UPC; Mirakl needs one to link the "
            "offer to a product, so set it in the catalog"
        )
    if row["price"] is None:
        return f"{sku!r} has no price; set a price in the catalog to offer it on Mirakl"
    if row["price"] <= 0:
        return f"price {row['price']} of {sku!r} is not positive; set a price above 0 in the catalog"
    if shop_currency and row["currency"] and row["currency"] != shop_currency:
        return (
            f"price of {sku!r} is in {row['currency']} but the Mirakl shop sells in {shop_currency}; "
            f"set the catalog price in {shop_currency}"
        )
    return None


def stock_quantity(lines: list[asyncpg.Record]) -> int:
    """Return the offer quantity from its recorded stock lines: the global line, else the warehouse sum, else 0."""
    global_line = next((line for line in lines if line["warehouse_code"] == ""), None)
    if global_line is not None:
        return global_line["quantity"]
    return sum(line["quantity"] for line in lines)


def offer_line(row: asyncpg.Record, quantity: int, state_code: str) -> dict[str, Any]:
    """Build one OF24 offer with every field this connector manages, so OF24 resets nothing it should keep."""
    return {
        "shop_sku": row["channel_sku"],
        "product_id": row["product_id"],
        "product_id_type": row["product_id_type"],
        "price": Decimal(row["price"]),
        "state_code": state_code,
        "quantity": quantity,
        # NOTE: lead time, logistic class and discounts are not in the master
        # catalog, so OF24 resets any value a seller set for them on Mirakl.
        "description": row["description"] or "",
        "update_delete": "delete" if row["action"] == "delete" else "update",
    }


async def _result(runtime, connection, row, status: str, message: str | None, import_id: str | None) -> None:
    await record_push_result(
        runtime, connection, row, table="offer_pushes", status=status, message=message, import_id=import_id
    )


async def _quantities(connection: asyncpg.Connection, integration_id: str, skus: list[str]) -> dict[str, int]:
    lines = await connection.fetch(
        "SELECT channel_sku, warehouse_code, quantity FROM inventory_lines "
        "WHERE integration_id = $1 AND channel_sku = ANY($2::text[])",
        integration_id,
        skus,
    )
    by_sku: dict[str, list[asyncpg.Record]] = {}
    for line in lines:
        by_sku.setdefault(line["channel_sku"], []).append(line)
    return {sku: stock_quantity(by_sku.get(sku, [])) for sku in skus}


async def push(runtime: ServiceRuntime, integration: asyncpg.Record, client: MiraklClient) -> dict[str, int]:
    """Send changed offers in one OF24 call; offers that cannot be valid fail at once without a call."""
    integration_id = integration["integration_id"]
    settings = IntegrationSettings.model_validate(integration["settings"])
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT o.*, p.dirty AS product_dirty, p.status AS product_status FROM offer_pushes o "
            "LEFT JOIN product_pushes p ON p.integration_id = o.integration_id AND p.master_sku = o.master_sku "
            "WHERE o.integration_id = $1 AND o.dirty ORDER BY o.master_sku LIMIT $2",
            integration_id,
            MAX_OFFERS_PER_IMPORT,
        )
        quantities = await _quantities(connection, integration_id, [row["channel_sku"] for row in rows])

    sendable: list[asyncpg.Record] = []
    invalid: list[tuple[asyncpg.Record, str]] = []
    for row in rows:
        if row["action"] == "delete":
            sendable.append(row)
            continue
        if row["product_dirty"] or row["product_status"] == "pending":
            continue  # the P41 import of this product is unsent or unfinished
        problem = offer_problem(row, integration["currency"])
        if problem:
            invalid.append((row, problem))
        else:
            sendable.append(row)

    import_id = None
    if sendable:
        lines = [offer_line(row, quantities[row["channel_sku"]], settings.offerStateCode) for row in sendable]
        import_id = await offers_api.update_offers(client, lines)

    async with runtime.pool.acquire() as connection, connection.transaction():
        for row, problem in invalid:
            logger.warning(
                "offer of %s not sent: %s", row["master_sku"], problem, extra={"integration_id": integration_id}
            )
            await _result(runtime, connection, row, "failed", problem, None)
        if import_id is not None:
            # OF24 numbers the offers of a request from 1 in its error report.
            numbered = {
                str(index + 1): [row["master_sku"], row["channel_sku"], row["action"], quantities[row["channel_sku"]]]
                for index, row in enumerate(sendable)
            }
            await connection.execute(
                "INSERT INTO offer_imports (integration_id, import_id, status, lines) VALUES ($1, $2, 'WAITING', $3)",
                integration_id,
                import_id,
                numbered,
            )
            for row in sendable:
                await connection.execute(
                    "UPDATE offer_pushes SET sent_quantity = $3 WHERE integration_id = $1 AND master_sku = $2",
                    integration_id,
                    row["master_sku"],
                    quantities[row["channel_sku"]],
                )
                await _result(runtime, connection, row, "pending", None, import_id)
        for row in [*sendable, *(row for row, _problem in invalid)]:
            await connection.execute(
                "UPDATE offer_pushes SET dirty = false WHERE integration_id = $1 AND master_sku = $2 "
                "AND content_hash = $3",
                integration_id,
                row["master_sku"],
                row["content_hash"],
            )
    if import_id is not None:
        logger.info(
            "offer import %s sent with %d offers", import_id, len(sendable), extra={"integration_id": integration_id}
        )
    return {"offers_sent": len(sendable), "offers_rejected": len(invalid)}


async def track(runtime: ServiceRuntime, integration: asyncpg.Record, client: MiraklClient) -> dict[str, int]:
    """Read OF02 for the oldest unfinished offer import and publish each offer's outcome once it is final.

    One import per run keeps OF02 and OF03 within Mirakl's once-a-minute maximum.
    """
    integration_id = integration["integration_id"]
    counts = {"offers_succeeded": 0, "offers_failed": 0}
    async with runtime.pool.acquire() as connection:
        offer_import = await connection.fetchrow(
            "SELECT * FROM offer_imports WHERE integration_id = $1 AND status <> ALL($2::text[]) "
            "ORDER BY created_at LIMIT 1",
            integration_id,
            list(FINAL_STATES),
        )
    if offer_import is None:
        return counts
    import_id = offer_import["import_id"]
    status = await offers_api.get_offer_import(client, import_id)
    state = str(status["status"])
    in_error = int(status.get("lines_in_error") or 0)
    errors: dict[int, str] = {}
    if state in FINAL_STATES and (status.get("has_error_report") or in_error):
        try:
            errors = await offers_api.get_offer_import_errors(client, import_id)
        except ClientError as error:
            logger.warning(
                "OF03 error report of offer import %s unavailable: %s",
                import_id,
                error,
                extra={"integration_id": integration_id},
            )

    async with runtime.pool.acquire() as connection, connection.transaction():
        await connection.execute(
            "UPDATE offer_imports SET status = $3, lines_in_success = $4, lines_in_error = $5, "
            "finished_at = CASE WHEN $6 THEN now() END WHERE integration_id = $1 AND import_id = $2",
            integration_id,
            import_id,
            state,
            status.get("lines_in_success"),
            status.get("lines_in_error"),
            state in FINAL_STATES,
        )
        if state not in FINAL_STATES:
            return counts
        for line_number, (master_sku, channel_sku, action, quantity) in offer_import["lines"].items():
            row = await connection.fetchrow(
                "SELECT * FROM offer_pushes WHERE integration_id = $1 AND master_sku = $2", integration_id, master_sku
            )
            if row is None or row["import_id"] != import_id:
                continue  # sent again since; the newer import reports it
            reason = errors.get(int(line_number))
            if state != "COMPLETE" or reason or (in_error and not errors):
                message = f"Mirakl rejected the {action} of offer SKU {channel_sku!r} (OF24 import {import_id}): " + (
                    reason or f"the import ended {state} with {in_error} line(s) in error"
                )
                logger.warning("%s", message, extra={"integration_id": integration_id})
                await _result(runtime, connection, row, "failed", message, import_id)
                await repository.record_error(connection, integration_id, TRACK_JOB, message, reason)
                counts["offers_failed"] += 1
                continue
            await _offer_applied(connection, integration_id, master_sku, channel_sku, action, quantity)
            await _result(runtime, connection, row, "succeeded", None, import_id)
            counts["offers_succeeded"] += 1
    return counts


async def _offer_applied(connection, integration_id: str, master_sku: str, channel_sku: str, action: str, quantity):
    """Record an applied OF24 line, and queue the stock lines that OF24 overwrote for the next STO01 import."""
    # A master withdrawn while its offer was being created is deleted on the next run.
    await connection.execute(
        "UPDATE offer_pushes SET on_mirakl = ($3 = 'offer'), dirty = dirty OR (action = 'delete' AND $3 = 'offer') "
        "WHERE integration_id = $1 AND master_sku = $2",
        integration_id,
        master_sku,
        action,
    )
    if action == "offer":
        await connection.execute(
            "UPDATE inventory_lines SET dirty = true WHERE integration_id = $1 AND channel_sku = $2 "
            "AND (warehouse_code <> '' OR quantity <> $3)",
            integration_id,
            channel_sku,
            quantity,
        )
