"""Products push (`products=push`): master products to Mirakl with P41 imports, tracked with P42.

Catalog events mark products to send; the push job sends the changed ones in one
P41 file and publishes `product.push_result` as `pending`. The tracking job
reads P42 until the import is final, then publishes `succeeded` or `failed` per
SKU, with the reason from the P44 error report when Mirakl has one.
"""

import hashlib
import json
import logging

import asyncpg
from crossdock_common.events import entity_key
from crossdock_common.http import ClientError
from crossdock_common.service import ServiceRuntime

from crossdock_mirakl_connector.adapters.mirakl import products as products_api
from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient
from crossdock_mirakl_connector.adapters.mirakl.offers import parse_error_report

logger = logging.getLogger(__name__)

PUSH_JOB = "products_push"
TRACK_JOB = "products_push_imports"
MAX_PRODUCTS_PER_IMPORT = 1000
# P42 states after which the import no longer changes.
FINAL_STATES = ("COMPLETE", "FAILED", "CANCELLED", "TRANSFORMATION_FAILED")


def gtin_type(gtin: str) -> str | None:
    """Return the Mirakl product-id-type of a GTIN (UPC for 12 digits, EAN for 8, 13 or 14), or None."""
    if not gtin.isdigit():
        return None
    return {12: "UPC", 8: "EAN", 13: "EAN", 14: "EAN"}.get(len(gtin))


async def mark_product(connection: asyncpg.Connection, integration: asyncpg.Record, product, option) -> None:
    """Record a master product to push, marking it changed when its pushed fields changed."""
    fields = {
        "channel_sku": option.channel_sku if option and option.channel_sku else product.sku,
        "title": product.title,
        "gtin": product.gtin,
        "category": product.attributes.get("category"),
        "brand": product.attributes.get("brand"),
    }
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
    await connection.execute(
        "INSERT INTO product_pushes (integration_id, master_sku, account_id, channel_sku, title, gtin, category, "
        "brand, content_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (integration_id, master_sku) DO UPDATE SET channel_sku = EXCLUDED.channel_sku, "
        "title = EXCLUDED.title, gtin = EXCLUDED.gtin, category = EXCLUDED.category, brand = EXCLUDED.brand, "
        "dirty = product_pushes.dirty OR product_pushes.content_hash <> EXCLUDED.content_hash, "
        "content_hash = EXCLUDED.content_hash, updated_at = now()",
        integration["integration_id"],
        product.sku,
        integration["account_id"],
        fields["channel_sku"],
        fields["title"],
        fields["gtin"],
        fields["category"],
        fields["brand"],
        digest,
    )


async def record_push_result(
    runtime, connection, row, *, table: str, status: str, message: str | None, import_id: str | None
) -> None:
    """Store a push outcome in `table` (product_pushes or offer_pushes) and publish it as `product.push_result`."""
    if table not in {"product_pushes", "offer_pushes"}:
        raise ValueError(f"unknown push table {table!r}")
    await connection.execute(
        f"UPDATE {table} SET status = $3, message = $4, import_id = COALESCE($5, import_id) "
        "WHERE integration_id = $1 AND master_sku = $2",
        row["integration_id"],
        row["master_sku"],
        status,
        message,
        import_id,
    )
    event = runtime.event(
        type="product.push_result",
        payload={
            "integration_id": row["integration_id"],
            "sku": row["master_sku"],
            "status": status,
            "message": message,
            "import_id": import_id,
        },
        account_id=row["account_id"],
        key=entity_key(row["account_id"], f"{row['integration_id']}:{row['master_sku']}"),
        integration_id=row["integration_id"],
    )
    await runtime.publish(connection, event)


async def _result(runtime, connection, row, status: str, message: str | None, import_id: str | None) -> None:
    await record_push_result(
        runtime, connection, row, table="product_pushes", status=status, message=message, import_id=import_id
    )


async def push(runtime: ServiceRuntime, integration: asyncpg.Record, client: MiraklClient) -> dict[str, int]:
    """Send changed products in one P41 import; products without a usable GTIN fail at once."""
    integration_id = integration["integration_id"]
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT * FROM product_pushes WHERE integration_id = $1 AND dirty ORDER BY master_sku LIMIT $2",
            integration_id,
            MAX_PRODUCTS_PER_IMPORT,
        )
    sendable = [row for row in rows if row["gtin"] and gtin_type(row["gtin"])]
    unsendable = [row for row in rows if row not in sendable]
    import_id = None
    if sendable:
        lines = [
            {
                "sku": row["channel_sku"],
                "product-id": row["gtin"],
                "product-id-type": gtin_type(row["gtin"]),
                "title": row["title"],
                "category": row["category"] or "",
                "brand": row["brand"] or "",
            }
            for row in sendable
        ]
        import_id = await products_api.import_products(client, lines)
    async with runtime.pool.acquire() as connection, connection.transaction():
        for row in unsendable:
            message = (
                f"GTIN {row['gtin']!r} of {row['master_sku']!r} is missing or not an EAN/UPC; "
                "Mirakl needs one to identify the product, so set it in the catalog"
            )
            await _result(runtime, connection, row, "failed", message, None)
        if import_id is not None:
            # CSV line 1 is the header, so product n is line n + 1 of the file.
            numbered = {str(index + 2): row["master_sku"] for index, row in enumerate(sendable)}
            await connection.execute(
                "INSERT INTO product_imports (integration_id, import_id, status, lines) VALUES ($1, $2, 'WAITING', $3)",
                integration_id,
                import_id,
                numbered,
            )
            for row in sendable:
                await _result(runtime, connection, row, "pending", None, import_id)
        for row in rows:
            await connection.execute(
                "UPDATE product_pushes SET dirty = false WHERE integration_id = $1 AND master_sku = $2 "
                "AND content_hash = $3",
                integration_id,
                row["master_sku"],
                row["content_hash"],
            )
    return {"products_pushed": len(sendable), "products_rejected": len(unsendable)}


async def track(runtime: ServiceRuntime, integration: asyncpg.Record, client: MiraklClient) -> dict[str, int]:
    """Read P42 for unfinished product imports and publish each product's outcome once final."""
    integration_id = integration["integration_id"]
    counts = {"products_succeeded": 0, "products_failed": 0}
    async with runtime.pool.acquire() as connection:
        imports = await connection.fetch(
            "SELECT * FROM product_imports WHERE integration_id = $1 AND status <> ALL($2::text[])",
            integration_id,
            list(FINAL_STATES),
        )
    for product_import in imports:
        status = await products_api.get_product_import(client, product_import["import_id"])
        state = str(status.get("import_status"))
        errors: dict[int, str] = {}
        if state in FINAL_STATES and status.get("has_error_report"):
            try:
                errors = parse_error_report(
                    await products_api.get_product_import_errors(client, product_import["import_id"])
                )
            except ClientError as error:
                logger.warning("P44 error report unavailable: %s", error, extra={"integration_id": integration_id})
        async with runtime.pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "UPDATE product_imports SET status = $3, finished_at = CASE WHEN $4 THEN now() END "
                "WHERE integration_id = $1 AND import_id = $2",
                integration_id,
                product_import["import_id"],
                state,
                state in FINAL_STATES,
            )
            if state not in FINAL_STATES:
                continue
            in_error = int(status.get("transform_lines_in_error") or 0)
            for line_number, master_sku in product_import["lines"].items():
                row = await connection.fetchrow(
                    "SELECT * FROM product_pushes WHERE integration_id = $1 AND master_sku = $2",
                    integration_id,
                    master_sku,
                )
                if row is None or row["import_id"] != product_import["import_id"]:
                    continue  # pushed again since; the newer import reports it
                reason = errors.get(int(line_number))
                if state != "COMPLETE" or reason or (in_error and not errors):
                    message = (
                        reason
                        or f"P41 import {product_import['import_id']} ended {state} with {in_error} line(s) in error"
                    )
                    await _result(runtime, connection, row, "failed", message, product_import["import_id"])
                    counts["products_failed"] += 1
                else:
                    await _result(runtime, connection, row, "succeeded", None, product_import["import_id"])
                    counts["products_succeeded"] += 1
    return counts
