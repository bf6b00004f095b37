"""Stock movements: every change of on hand or committed goes through here.

Each movement updates the stock level, records a history row with its cause,
publishes `stock.changed` for located changes, and queues the SKU for the
availability publisher, all in the caller's transaction.
"""

import logging
from dataclasses import dataclass
from typing import Literal

import asyncpg
from crossdock_common.events import EventEnvelope, entity_key
from crossdock_common.service import ServiceRuntime

logger = logging.getLogger(__name__)

Cause = Literal["order", "fulfillment", "adjustment", "import"]


@dataclass(frozen=True)
class Level:
    """Stock of one SKU at one location after a movement."""

    sku: str
    location_id: str
    on_hand: int
    committed: int

    @property
    def available(self) -> int:
        return max(self.on_hand - self.committed, 0)

    def to_dict(self) -> dict[str, object]:
        return {
            "sku": self.sku,
            "location_id": self.location_id,
            "on_hand": self.on_hand,
            "committed": self.committed,
            "available": self.available,
        }


async def move_stock(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    *,
    account_id: str,
    sku: str,
    location_id: str,
    cause: Cause,
    reference: str | None,
    detail: str,
    on_hand_delta: int = 0,
    committed_delta: int = 0,
    set_on_hand: int | None = None,
    cause_event: EventEnvelope | None = None,
) -> Level:
    """Change the stock of `sku` at `location_id`, record it and publish `stock.changed`.

    `set_on_hand` replaces on hand (an absolute count). Otherwise `on_hand_delta`
    is added. The location must exist in the account.
    """
    # One statement locks the row (or creates it), applies the change, appends the
    # history row and queues the SKU for the availability publisher. `level` selects
    # from `before` so that `before` reads the row ahead of the update: PostgreSQL
    # may otherwise run the update first, and `before` then finds no row and reads 0.
    # NOTE: when two transactions create the same row at once, the second one's
    # history row takes 0 as the value before, so its recorded delta is off by the
    # first one's change.
    row = await connection.fetchrow(
        "WITH before AS (SELECT on_hand, committed FROM stock_levels "
        "  WHERE account_id = $1 AND sku = $2 AND location_id = $3 FOR UPDATE), "
        "level AS (INSERT INTO stock_levels AS level (account_id, sku, location_id, on_hand, committed) "
        "  SELECT $1, $2, $3, COALESCE($4::int, $5::int), greatest($6::int, 0) "
        "  FROM (SELECT count(*) FROM before) AS locked "
        "  ON CONFLICT (account_id, sku, location_id) DO UPDATE "
        "  SET on_hand = COALESCE($4::int, level.on_hand + $5::int), "
        "  committed = greatest(level.committed + $6::int, 0), updated_at = now() "
        "  RETURNING level.on_hand, level.committed), "
        "history AS (INSERT INTO movements (account_id, sku, location_id, on_hand_delta, committed_delta, "
        "  on_hand_after, committed_after, cause, reference, detail) "
        "  SELECT $1, $2, $3, level.on_hand - COALESCE((SELECT on_hand FROM before), 0), "
        "  level.committed - COALESCE((SELECT committed FROM before), 0), level.on_hand, level.committed, "
        "  $7, $8, $9 FROM level), "
        "queued AS (INSERT INTO dirty_marks (account_id, sku) VALUES ($1, $2)) "
        "SELECT on_hand, committed, COALESCE((SELECT committed FROM before), 0) AS before_committed FROM level",
        account_id,
        sku,
        location_id,
        set_on_hand,
        on_hand_delta,
        committed_delta,
        cause,
        reference,
        detail,
    )
    on_hand, committed = row["on_hand"], row["committed"]
    if row["before_committed"] + committed_delta < 0:
        # Callers derive deltas from commitment rows, so this means those rows and
        # the level disagree. The level was clamped at 0 rather than failing the event.
        logger.error(
            "committed stock would drop below 0; clamped at 0",
            extra={"account_id": account_id, "sku": sku, "location_id": location_id, "delta": committed_delta},
        )

    level = Level(sku=sku, location_id=location_id, on_hand=on_hand, committed=committed)
    event = runtime.event(
        type="stock.changed",
        payload={**level.to_dict(), "cause": detail},
        account_id=account_id,
        key=entity_key(account_id, f"sku:{sku}"),
        cause=cause_event,
    )
    await runtime.publish(connection, event)
    return level


async def record_movement(
    connection: asyncpg.Connection,
    *,
    account_id: str,
    sku: str,
    location_id: str | None,
    cause: Cause,
    reference: str | None,
    detail: str,
    on_hand_delta: int = 0,
    committed_delta: int = 0,
    on_hand_after: int | None = None,
    committed_after: int | None = None,
) -> None:
    """Append one row to the stock history."""
    await connection.execute(
        "INSERT INTO movements (account_id, sku, location_id, on_hand_delta, committed_delta, "
        "on_hand_after, committed_after, cause, reference, detail) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        account_id,
        sku,
        location_id,
        on_hand_delta,
        committed_delta,
        on_hand_after,
        committed_after,
        cause,
        reference,
        detail,
    )


async def mark_dirty(connection: asyncpg.Connection, account_id: str, skus: list[str]) -> None:
    """Queue SKUs for the availability publisher, which coalesces the marks of each SKU into one recompute."""
    await connection.execute(
        "INSERT INTO dirty_marks (account_id, sku) SELECT $1, sku FROM unnest($2::text[]) AS t(sku)",
        account_id,
        list(set(skus)),
    )


async def mark_account_dirty(connection: asyncpg.Connection, account_id: str) -> None:
    """Queue every product of the account, after a change that can move any SKU's availability."""
    await connection.execute(
        "INSERT INTO dirty_marks (account_id, sku) SELECT account_id, sku FROM products "
        "WHERE account_id = $1 AND status <> 'deleted'",
        account_id,
    )
