"""Inventory push: availability events in, STO01 stock imports out, STO02/STO03 tracking.

Availability events only update `inventory_lines`; the push job coalesces the
changed lines into one STO01 import per run. An import is only "accepted,
pending" when Mirakl returns its id: the tracking job reads STO02 until the
import is final and turns STO03 error-report lines into per-SKU errors.
"""

import logging
from datetime import UTC, datetime

import asyncpg
from crossdock_common.db.retry import run_in_transaction
from crossdock_common.events import entity_key
from crossdock_common.service import ServiceRuntime

from crossdock_mirakl_connector.adapters import repository
from crossdock_mirakl_connector.adapters.mirakl import offers as offers_api
from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient
from crossdock_mirakl_connector.domain.settings import IntegrationSettings

logger = logging.getLogger(__name__)

PUSH_JOB = "inventory_push"
TRACK_JOB = "inventory_imports"
# Lines per STO01 file. Mirakl documents no line limit for stock imports; this
# keeps one import's error report readable.
MAX_LINES_PER_IMPORT = 10_000
FINAL_IMPORT_STATES = ("COMPLETE", "FAILED")


def clamp_quantity(quantity: int, maximum: int | None) -> int:
    """Return a quantity Mirakl accepts: negative becomes 0 and anything above `maximum` becomes `maximum`."""
    value = max(quantity, 0)
    if maximum is not None and value > maximum:
        return maximum
    return value


async def apply_availability(runtime: ServiceRuntime, connection: asyncpg.Connection, event) -> None:
    """Record what Mirakl should show for one SKU; the push job sends it."""
    availability = event.payload
    integration = await repository.load_integration(connection, availability.integration_id)
    if integration is None or integration["account_id"] != event.account_id:
        return
    settings = IntegrationSettings.model_validate(integration["settings"])
    if not settings.sku_eligible(availability.sku):
        return
    channel_sku = (
        await repository.channel_sku_of(connection, integration["integration_id"], availability.sku)
        or availability.channel_sku
    )
    quantity = clamp_quantity(availability.quantity, settings.inventoryMaxQuantity)
    if quantity != availability.quantity:
        logger.warning(
            "quantity %s of %s clamped to %s (inventoryMaxQuantity)",
            availability.quantity,
            availability.sku,
            quantity,
            extra={"integration_id": integration["integration_id"]},
        )
    await connection.execute(
        "INSERT INTO inventory_lines (integration_id, channel_sku, warehouse_code, master_sku, quantity, dirty) "
        "VALUES ($1, $2, $3, $4, $5, true) ON CONFLICT (integration_id, channel_sku, warehouse_code) DO UPDATE SET "
        "master_sku = EXCLUDED.master_sku, quantity = EXCLUDED.quantity, updated_at = now(), "
        "dirty = inventory_lines.dirty OR $6 OR inventory_lines.pushed_quantity IS DISTINCT FROM EXCLUDED.quantity",
        integration["integration_id"],
        channel_sku,
        availability.channel_warehouse_id or "",
        availability.sku,
        quantity,
        availability.snapshot,
    )
    # After a channelSku change, the master's earlier line names its previous offer SKU.
    # That offer no longer belongs to the master, so the line is dropped rather than pushed.
    await connection.execute(
        "DELETE FROM inventory_lines WHERE integration_id = $1 AND master_sku = $2 AND warehouse_code = $3 "
        "AND channel_sku <> $4",
        integration["integration_id"],
        availability.sku,
        availability.channel_warehouse_id or "",
        channel_sku,
    )


async def request_resync(runtime: ServiceRuntime, integration: asyncpg.Record, requested_by: str) -> str:
    """Publish `command.inventory.resync`; the inventory service then publishes a full availability snapshot."""
    command_id = f"resync-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"
    async with runtime.pool.acquire() as connection, connection.transaction():
        event = runtime.event(
            type="command.inventory.resync",
            payload={
                "command_id": command_id,
                "integration_id": integration["integration_id"],
                "requested_by": requested_by,
            },
            account_id=integration["account_id"],
            key=entity_key(integration["account_id"], integration["integration_id"]),
            integration_id=integration["integration_id"],
        )
        await runtime.publish(connection, event)
    return command_id


async def push(runtime: ServiceRuntime, integration: asyncpg.Record, client: MiraklClient) -> dict[str, int]:
    """Send the changed lines in one STO01 import and record it for tracking."""
    integration_id = integration["integration_id"]
    settings = IntegrationSettings.model_validate(integration["settings"])
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT * FROM inventory_lines WHERE integration_id = $1 AND dirty "
            "ORDER BY channel_sku, warehouse_code LIMIT $2",
            integration_id,
            MAX_LINES_PER_IMPORT,
        )
    # The lists may have changed since the lines were recorded.
    rows = [row for row in rows if settings.sku_eligible(row["master_sku"])]
    if not rows:
        return {"inventory_lines_pushed": 0}

    lines = [(row["channel_sku"], row["quantity"], row["warehouse_code"]) for row in rows]
    import_id = await offers_api.import_stock(client, lines)
    # CSV line 1 is the header, so data line n is line n + 1 of the file.
    numbered = {str(index + 2): [sku, warehouse, quantity] for index, (sku, quantity, warehouse) in enumerate(lines)}

    # The import is on Mirakl already: recording it must survive a deadlock with the availability
    # consumer, or the lines stay dirty and go out again in a second import.
    async def record(connection: asyncpg.Connection) -> None:
        await connection.execute(
            "INSERT INTO stock_imports (import_id, integration_id, status, lines) VALUES ($1, $2, 'WAITING', $3)",
            import_id,
            integration_id,
            numbered,
        )
        for row in rows:
            await connection.execute(
                "UPDATE inventory_lines SET dirty = (quantity <> $4), pushed_quantity = $4, import_id = $5, "
                "last_error = NULL WHERE integration_id = $1 AND channel_sku = $2 AND warehouse_code = $3",
                integration_id,
                row["channel_sku"],
                row["warehouse_code"],
                row["quantity"],
                import_id,
            )

    await run_in_transaction(runtime.pool, record)
    logger.info("stock import %s sent with %d lines", import_id, len(lines), extra={"integration_id": integration_id})
    return {"inventory_lines_pushed": len(lines)}


async def track(runtime: ServiceRuntime, integration: asyncpg.Record, client: MiraklClient) -> dict[str, int]:
    """Check unfinished stock imports (STO02) and record rejected lines (STO03) as per-SKU errors."""
    integration_id = integration["integration_id"]
    counts = {"inventory_lines_rejected": 0, "inventory_lines_accepted": 0}
    async with runtime.pool.acquire() as connection:
        imports = await connection.fetch(
            "SELECT * FROM stock_imports WHERE integration_id = $1 AND status <> ALL($2::text[]) ORDER BY created_at",
            integration_id,
            list(FINAL_IMPORT_STATES),
        )
    for stock_import in imports:
        status = await offers_api.get_stock_import(client, stock_import["import_id"])
        state = str(status.get("status"))
        if state not in FINAL_IMPORT_STATES:
            async with runtime.pool.acquire() as connection:
                await connection.execute(
                    "UPDATE stock_imports SET status = $3 WHERE integration_id = $1 AND import_id = $2",
                    integration_id,
                    stock_import["import_id"],
                    state,
                )
            continue
        errors: dict[int, str] = {}
        if int(status.get("lines_in_error") or 0) > 0 or status.get("has_error_report"):
            errors = await offers_api.get_stock_import_errors(client, stock_import["import_id"])
        await _finish_import(runtime, integration_id, stock_import, state, status, errors, counts)
    return counts


async def _finish_import(runtime, integration_id, stock_import, state, status, errors, counts) -> None:
    lines = stock_import["lines"]

    async def record(connection: asyncpg.Connection) -> None:
        await connection.execute(
            "UPDATE stock_imports SET status = $3, lines_in_success = $4, lines_in_error = $5, finished_at = now() "
            "WHERE integration_id = $1 AND import_id = $2",
            integration_id,
            stock_import["import_id"],
            state,
            status.get("lines_in_success"),
            status.get("lines_in_error"),
        )
        for line_number, reason in errors.items():
            line = lines.get(str(line_number))
            if line is None:
                continue
            sku, warehouse, _quantity = line
            message = f"Mirakl rejected stock of offer SKU {sku!r}" + (f" at {warehouse}" if warehouse else "")
            await connection.execute(
                "UPDATE inventory_lines SET last_error = $4 WHERE integration_id = $1 AND channel_sku = $2 "
                "AND warehouse_code = $3 AND import_id = $5",
                integration_id,
                sku,
                warehouse,
                f"{message}: {reason}",
                stock_import["import_id"],
            )
            await repository.record_error(connection, integration_id, TRACK_JOB, f"{message}: {reason}", reason)
        if state == "FAILED" and not errors:
            await repository.record_error(
                connection, integration_id, TRACK_JOB, f"stock import {stock_import['import_id']} FAILED", str(status)
            )

    await run_in_transaction(runtime.pool, record)
    counts["inventory_lines_rejected"] += len(errors) if state == "COMPLETE" else len(lines)
    counts["inventory_lines_accepted"] += int(status.get("lines_in_success") or 0)
