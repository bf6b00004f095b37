"""Postgres queries shared by the use cases: integrations, cursors, job status and errors."""

from datetime import UTC, datetime
from typing import Any

import asyncpg

MAX_ERRORS_KEPT = 50


async def load_integration(connection: asyncpg.Connection, integration_id: str) -> asyncpg.Record | None:
    return await connection.fetchrow("SELECT * FROM integrations WHERE integration_id = $1", integration_id)


async def connected_integrations(connection: asyncpg.Connection) -> list[asyncpg.Record]:
    return await connection.fetch("SELECT * FROM integrations WHERE status = 'connected' ORDER BY integration_id")


async def read_cursor(connection: asyncpg.Connection, integration_id: str, job: str) -> dict[str, Any]:
    value = await connection.fetchval(
        "SELECT cursor FROM cursors WHERE integration_id = $1 AND job = $2", integration_id, job
    )
    return value or {}


async def write_cursor(connection: asyncpg.Connection, integration_id: str, job: str, cursor: dict[str, Any]) -> None:
    await connection.execute(
        "INSERT INTO cursors (integration_id, job, cursor) VALUES ($1, $2, $3) "
        "ON CONFLICT (integration_id, job) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()",
        integration_id,
        job,
        cursor,
    )


async def record_run(
    connection: asyncpg.Connection,
    integration_id: str,
    job: str,
    *,
    succeeded: bool,
    add_counts: dict[str, int] | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record one run of a job: its time, success, counters added to the totals, and optional details."""
    now = datetime.now(UTC)
    row = await connection.fetchrow(
        "SELECT counts, details FROM job_status WHERE integration_id = $1 AND job = $2", integration_id, job
    )
    counts = dict(row["counts"]) if row else {}
    for name, value in (add_counts or {}).items():
        counts[name] = int(counts.get(name, 0)) + int(value)
    merged_details = {**(dict(row["details"]) if row else {}), **(details or {})}
    await connection.execute(
        "INSERT INTO job_status (integration_id, job, last_run_at, last_success_at, counts, details) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (integration_id, job) DO UPDATE SET "
        "last_run_at = EXCLUDED.last_run_at, "
        "last_success_at = COALESCE(EXCLUDED.last_success_at, job_status.last_success_at), "
        "counts = EXCLUDED.counts, details = EXCLUDED.details",
        integration_id,
        job,
        now,
        now if succeeded else None,
        counts,
        merged_details,
    )


async def record_error(
    connection: asyncpg.Connection, integration_id: str, job: str, message: str, response: str | None = None
) -> None:
    """Store an error shown in the integration status, keeping the latest ones only."""
    await connection.execute(
        "INSERT INTO integration_errors (integration_id, job, message, response) VALUES ($1, $2, $3, $4)",
        integration_id,
        job,
        message[:2000],
        (response or None) and response[:4000],
    )
    await connection.execute(
        "DELETE FROM integration_errors WHERE integration_id = $1 AND id NOT IN "
        "(SELECT id FROM integration_errors WHERE integration_id = $1 ORDER BY id DESC LIMIT $2)",
        integration_id,
        MAX_ERRORS_KEPT,
    )


async def sku_resolver(connection: asyncpg.Connection, integration_id: str, channel_skus: list[str]) -> dict[str, str]:
    """Map offer SKUs to master SKUs from the catalog projection; unknown SKUs are left out.

    The projection contains one row per master product: its `channelSku` when the
    catalog sets one, else the master SKU itself (identity mapping).
    """
    rows = await connection.fetch(
        "SELECT channel_sku, min(master_sku) AS master_sku FROM sku_mappings "
        "WHERE integration_id = $1 AND channel_sku = ANY($2::text[]) GROUP BY channel_sku",
        integration_id,
        channel_skus,
    )
    return {row["channel_sku"]: row["master_sku"] for row in rows}


async def channel_sku_of(connection: asyncpg.Connection, integration_id: str, master_sku: str) -> str | None:
    """Return the offer SKU of a master SKU from the catalog projection, or None when the catalog has no row."""
    return await connection.fetchval(
        "SELECT channel_sku FROM sku_mappings WHERE integration_id = $1 AND master_sku = $2", integration_id, master_sku
    )
