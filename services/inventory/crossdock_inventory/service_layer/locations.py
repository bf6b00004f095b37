"""Locations, created by API or from warehouses a connector discovered. Each change publishes `location.upserted`."""

import uuid
from typing import Any

import asyncpg
from crossdock_common.events import EventEnvelope, entity_key
from crossdock_common.service import ServiceRuntime

from crossdock_inventory.service_layer.stock import mark_account_dirty

LOCATION_COLUMNS = (
    "location_id, name, address, source_integration_id, external_code, status, fulfillment_integration_id, "
    "exclude_from_totals, excluded_integration_ids, priority"
)
# Fields whose change can move any SKU's availability.
AVAILABILITY_FIELDS = ("status", "exclude_from_totals", "excluded_integration_ids", "external_code")


def new_location_id() -> str:
    return f"loc-{uuid.uuid4().hex[:12]}"


def location_dict(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "location_id": row["location_id"],
        "name": row["name"],
        "address": row["address"],
        "source_integration_id": row["source_integration_id"],
        "external_code": row["external_code"],
        "status": row["status"],
        "fulfillment_integration_id": row["fulfillment_integration_id"],
        "exclude_from_totals": row["exclude_from_totals"],
        "excluded_integration_ids": list(row["excluded_integration_ids"]),
        "priority": row["priority"],
    }


async def get_location(connection: asyncpg.Connection, account_id: str, location_id: str) -> dict[str, Any] | None:
    row = await connection.fetchrow(
        f"SELECT {LOCATION_COLUMNS} FROM locations WHERE account_id = $1 AND location_id = $2",
        account_id,
        location_id,
    )
    return location_dict(row) if row else None


async def list_locations(connection: asyncpg.Connection, account_id: str) -> list[dict[str, Any]]:
    rows = await connection.fetch(
        f"SELECT {LOCATION_COLUMNS} FROM locations WHERE account_id = $1 ORDER BY priority, location_id", account_id
    )
    return [location_dict(row) for row in rows]


async def create_location(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    account_id: str,
    fields: dict[str, Any],
    *,
    cause_event: EventEnvelope | None = None,
) -> dict[str, Any]:
    """Insert a location and publish it."""
    row = await connection.fetchrow(
        "INSERT INTO locations (location_id, account_id, name, address, source_integration_id, external_code, "
        "status, fulfillment_integration_id, exclude_from_totals, excluded_integration_ids, priority) "
        f"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {LOCATION_COLUMNS}",
        fields.get("location_id") or new_location_id(),
        account_id,
        fields["name"],
        fields.get("address"),
        fields.get("source_integration_id"),
        fields.get("external_code"),
        fields.get("status", "active"),
        fields.get("fulfillment_integration_id"),
        fields.get("exclude_from_totals", False),
        fields.get("excluded_integration_ids", []),
        fields.get("priority", 100),
    )
    location = location_dict(row)
    await publish_location(connection, runtime, account_id, location, cause_event=cause_event)
    await mark_account_dirty(connection, account_id)
    return location


async def update_location(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    account_id: str,
    location_id: str,
    changes: dict[str, Any],
    *,
    cause_event: EventEnvelope | None = None,
) -> dict[str, Any] | None:
    """Apply `changes` to a location and publish it when anything changed. Return None when it does not exist."""
    current = await connection.fetchrow(
        f"SELECT {LOCATION_COLUMNS} FROM locations WHERE account_id = $1 AND location_id = $2 FOR UPDATE",
        account_id,
        location_id,
    )
    if current is None:
        return None
    before = location_dict(current)
    after = {**before, **changes}
    if after == before:
        return before

    await connection.execute(
        "UPDATE locations SET name = $3, address = $4, status = $5, fulfillment_integration_id = $6, "
        "exclude_from_totals = $7, excluded_integration_ids = $8, priority = $9, updated_at = now() "
        "WHERE account_id = $1 AND location_id = $2",
        account_id,
        location_id,
        after["name"],
        after["address"],
        after["status"],
        after["fulfillment_integration_id"],
        after["exclude_from_totals"],
        after["excluded_integration_ids"],
        after["priority"],
    )
    await publish_location(connection, runtime, account_id, after, cause_event=cause_event)
    if any(before[name] != after[name] for name in AVAILABILITY_FIELDS):
        await mark_account_dirty(connection, account_id)
    return after


async def upsert_discovered(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    account_id: str,
    *,
    integration_id: str,
    external_code: str,
    name: str,
    address: dict[str, Any] | None,
    cause_event: EventEnvelope,
) -> dict[str, Any]:
    """Create the hub location for a channel warehouse, or refresh its name and address.

    The unique index on (account, integration, code) makes a repeated discovery
    update the same row. Status, link and exclusions stay as the user set them.
    """
    existing = await connection.fetchrow(
        "SELECT location_id FROM locations WHERE account_id = $1 AND source_integration_id = $2 "
        "AND external_code = $3 FOR UPDATE",
        account_id,
        integration_id,
        external_code,
    )
    if existing is None:
        inserted = await connection.fetchrow(
            "INSERT INTO locations (location_id, account_id, name, address, source_integration_id, external_code) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING location_id",
            new_location_id(),
            account_id,
            name,
            address,
            integration_id,
            external_code,
        )
        if inserted is not None:
            location = await get_location(connection, account_id, inserted["location_id"])
            await publish_location(connection, runtime, account_id, location, cause_event=cause_event)
            await mark_account_dirty(connection, account_id)
            return location
        existing = await connection.fetchrow(
            "SELECT location_id FROM locations WHERE account_id = $1 AND source_integration_id = $2 "
            "AND external_code = $3 FOR UPDATE",
            account_id,
            integration_id,
            external_code,
        )

    changes: dict[str, Any] = {"name": name}
    if address is not None:
        changes["address"] = address
    return await update_location(
        connection, runtime, account_id, existing["location_id"], changes, cause_event=cause_event
    )


async def publish_location(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    account_id: str,
    location: dict[str, Any],
    *,
    cause_event: EventEnvelope | None = None,
) -> None:
    event = runtime.event(
        type="location.upserted",
        payload=location,
        account_id=account_id,
        key=entity_key(account_id, f"location:{location['location_id']}"),
        integration_id=location["source_integration_id"],
        cause=cause_event,
    )
    await runtime.publish(connection, event)
