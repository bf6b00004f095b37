"""Order pull: OR11 walks with a persisted cursor, ingestion, auto-accept queueing and missed-order counts.

One pull run is one OR11 poll cycle, which Mirakl's seller OpenAPI allows at
most once a minute:
1. the incremental walk over orders updated since the cursor (minus an overlap)
   in the `ordersStatuses` states, which lets new orders enter the hub;
2. OR11 by `order_ids` for the open orders the hub already tracks, so they are
   followed through every later state until closed, refused or cancelled;
3. when due, the reconciliation walk that counts orders in other states the
   hub has never seen.
The walk position is saved after every page, so a restart resumes there.
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from crossdock_common.events import entity_key
from crossdock_common.service import ServiceRuntime

from crossdock_mirakl_connector.adapters import repository
from crossdock_mirakl_connector.adapters.mirakl import orders as orders_api
from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient
from crossdock_mirakl_connector.adapters.mirakl.errors import PageRepeatedError
from crossdock_mirakl_connector.domain.orders import (
    FINAL_STATES,
    OrderMappingError,
    content_hash,
    parse_mirakl_datetime,
    to_canonical,
)
from crossdock_mirakl_connector.domain.settings import MIRAKL_ORDER_STATES, IntegrationSettings
from crossdock_mirakl_connector.service_layer import commands, locations

logger = logging.getLogger(__name__)

JOB = "orders"
RECONCILE_JOB = "reconciliation"
# Pages of one reconciliation walk; the count is a lower bound beyond that.
MAX_RECONCILE_PAGES = 10


def chunked(values: list[str], size: int = orders_api.MAX_IDS_PER_CALL) -> list[list[str]]:
    """Split an id list into chunks Mirakl accepts in one call."""
    return [values[start : start + size] for start in range(0, len(values), size)]


def order_key(account_id: str, integration_id: str, order_id: str) -> str:
    return entity_key(account_id, f"{integration_id}:{order_id}")


class OrderPull:
    """One pull run for one integration."""

    def __init__(self, runtime: ServiceRuntime, integration: asyncpg.Record, client: MiraklClient) -> None:
        self.runtime = runtime
        self.integration = integration
        self.integration_id = integration["integration_id"]
        self.settings = IntegrationSettings.model_validate(integration["settings"])
        self.client = client
        self.page_size = runtime.settings.orders_page_size
        self.counts = {"orders_pulled": 0, "orders_received": 0, "orders_updated": 0, "pages": 0}
        self.seen_ids: set[str] = set()

    async def run(self) -> dict[str, int]:
        await self.incremental_walk()
        await self.follow_tracked_orders()
        return self.counts

    # --- 1. incremental walk -------------------------------------------------

    async def incremental_walk(self) -> None:
        async with self.runtime.pool.acquire() as connection:
            cursor = await repository.read_cursor(connection, self.integration_id, JOB)
        walk = cursor.get("walk")
        if walk is None:
            since = cursor.get("since")
            start = None
            if since:
                overlap = timedelta(seconds=self.runtime.settings.orders_overlap_seconds)
                start = (datetime.fromisoformat(since) - overlap).isoformat()
            walk = {"start": start, "offset": 0, "max_seen": since, "previous_ids": []}

        while True:
            start = datetime.fromisoformat(walk["start"]) if walk["start"] else None
            page = await orders_api.list_orders_page(
                self.client,
                offset=walk["offset"],
                max_results=self.page_size,
                states=self.settings.ordersStatuses,
                start_update_date=start,
            )
            ids = [str(order["order_id"]) for order in page["orders"]]
            if ids and ids == walk["previous_ids"]:
                await self._abandon_walk(cursor)
                raise PageRepeatedError(
                    f"OR11 page at offset {walk['offset']} repeated the previous page's order ids {ids[:5]}...; "
                    "the walk was stopped and restarts from the saved cursor on the next pull"
                )
            self.counts["pages"] += 1
            walk = {
                **walk,
                "offset": walk["offset"] + len(ids),
                "previous_ids": ids,
                "max_seen": _latest(walk["max_seen"], page["orders"]),
            }
            finished = len(ids) < self.page_size or walk["offset"] >= page["total_count"]
            new_cursor = {"since": walk["max_seen"], "walk": None} if finished else {**cursor, "walk": walk}
            async with self.runtime.pool.acquire() as connection, connection.transaction():
                for order in page["orders"]:
                    await self.ingest(connection, order, may_enter=True)
                await repository.write_cursor(connection, self.integration_id, JOB, new_cursor)
            cursor = new_cursor
            if finished:
                return

    async def _abandon_walk(self, cursor: dict[str, Any]) -> None:
        async with self.runtime.pool.acquire() as connection:
            await repository.write_cursor(connection, self.integration_id, JOB, {**cursor, "walk": None})

    # --- 2. tracked open orders ------------------------------------------------

    async def follow_tracked_orders(self) -> None:
        async with self.runtime.pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT order_id FROM orders WHERE integration_id = $1 AND state <> ALL($2::text[]) ORDER BY order_id",
                self.integration_id,
                list(FINAL_STATES),
            )
        open_ids = [row["order_id"] for row in rows if row["order_id"] not in self.seen_ids]
        for chunk in chunked(open_ids):
            await self.refresh(chunk)

    async def refresh(self, order_ids: list[str]) -> list[dict[str, Any]]:
        """Read orders by id (one OR11 call per 100 ids) and ingest them; return the raw orders."""
        found: list[dict[str, Any]] = []
        for chunk in chunked(order_ids):
            page = await orders_api.list_orders_page(
                self.client, offset=0, max_results=orders_api.MAX_IDS_PER_CALL, order_ids=chunk
            )
            async with self.runtime.pool.acquire() as connection, connection.transaction():
                for order in page["orders"]:
                    await self.ingest(connection, order, may_enter=False)
            found.extend(page["orders"])
        return found

    # --- ingestion -------------------------------------------------------------

    async def ingest(self, connection: asyncpg.Connection, order: dict[str, Any], *, may_enter: bool) -> str:
        """Upsert one Mirakl order and publish it when it changed; return what happened."""
        order_id = str(order["order_id"])
        self.seen_ids.add(order_id)
        self.counts["orders_pulled"] += 1
        existing = await connection.fetchrow(
            "SELECT * FROM orders WHERE integration_id = $1 AND order_id = $2 FOR UPDATE", self.integration_id, order_id
        )
        if existing is None and not may_enter:
            return "not_tracked"
        if existing is None and order.get("order_state") not in self.settings.ordersStatuses:
            return "filtered"
        updated_at = parse_mirakl_datetime(order["last_updated_date"])
        if existing is not None:
            if existing["state"] in ("CANCELED", "REFUSED") and order.get("order_state") != existing["state"]:
                logger.warning(
                    "ignoring a later state %s of order %s, which is already %s",
                    order.get("order_state"),
                    order_id,
                    existing["state"],
                    extra={"integration_id": self.integration_id},
                )
                return "terminal"
            if updated_at < existing["last_updated_date"]:
                return "stale"

        skus = [str(line.get("offer_sku")) for line in order.get("order_lines") or []]
        mapping = await repository.sku_resolver(connection, self.integration_id, skus)
        try:
            canonical = to_canonical(
                order,
                integration_id=self.integration_id,
                resolve=mapping.get,
                acceptance_deadline_hours=self.settings.acceptanceDeadlineHours,
            )
        except OrderMappingError as error:
            await repository.record_error(connection, self.integration_id, JOB, str(error))
            logger.warning("skipping invalid order: %s", error, extra={"integration_id": self.integration_id})
            return "invalid"
        digest = content_hash(canonical)
        if existing is not None and existing["content_hash"] == digest:
            return "unchanged"

        acceptance_status, acceptance_reason = self._acceptance(canonical)
        await connection.execute(
            "INSERT INTO orders (integration_id, order_id, account_id, state, last_updated_date, content_hash, "
            "canonical, raw, acceptance_status, acceptance_reason, acceptance_deadline) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
            "ON CONFLICT (integration_id, order_id) DO UPDATE SET state = EXCLUDED.state, "
            "last_updated_date = EXCLUDED.last_updated_date, content_hash = EXCLUDED.content_hash, "
            "canonical = EXCLUDED.canonical, raw = EXCLUDED.raw, "
            "acceptance_status = COALESCE(EXCLUDED.acceptance_status, orders.acceptance_status), "
            "acceptance_reason = EXCLUDED.acceptance_reason, acceptance_deadline = EXCLUDED.acceptance_deadline, "
            "updated_at = now()",
            self.integration_id,
            order_id,
            self.integration["account_id"],
            canonical.channel_status,
            updated_at,
            digest,
            canonical.model_dump(mode="json"),
            order,
            acceptance_status,
            acceptance_reason,
            canonical.acceptance_deadline,
        )
        event_type = "order.received" if existing is None else "order.updated"
        event = self.runtime.event(
            type=event_type,
            payload=canonical,
            account_id=self.integration["account_id"],
            key=order_key(self.integration["account_id"], self.integration_id, order_id),
            integration_id=self.integration_id,
        )
        await self.runtime.publish(connection, event)
        self.counts["orders_received" if existing is None else "orders_updated"] += 1

        if acceptance_status == "queued":
            await commands.queue_auto_accept(connection, self.integration, order_id)
        await commands.settle_after_state_change(self.runtime, connection, self.integration, order_id, canonical)
        if self.settings.pullLocations:
            await locations.note_order_warehouses(self.runtime, connection, self.integration, canonical)
        return event_type

    def _acceptance(self, canonical) -> tuple[str | None, str | None]:
        if canonical.channel_status != "WAITING_ACCEPTANCE":
            return None, None
        unresolved = [line for line in canonical.lines if line.master_sku is None]
        if unresolved:
            names = ", ".join(f"line {line.line_id} (offer SKU {line.channel_sku!r})" for line in unresolved)
            return "waiting_for_person", f"no master SKU for {names}; map the SKU in the catalog, then accept"
        if not self.settings.ordersAutoAccept:
            return "waiting_for_person", "ordersAutoAccept is off; accept or refuse the order"
        return "queued", None


def _latest(current: str | None, orders: list[dict[str, Any]]) -> str | None:
    latest = datetime.fromisoformat(current) if current else None
    for order in orders:
        moment = parse_mirakl_datetime(order["last_updated_date"])
        if latest is None or moment > latest:
            latest = moment
    return latest.isoformat() if latest else None


async def reconcile(runtime: ServiceRuntime, integration: asyncpg.Record, client: MiraklClient) -> dict[str, Any]:
    """Count orders in states outside `ordersStatuses` that the hub has never seen, per state."""
    settings = IntegrationSettings.model_validate(integration["settings"])
    other_states = [
        state for state in MIRAKL_ORDER_STATES if state not in settings.ordersStatuses and state != "STAGING"
    ]
    missed: dict[str, int] = {}
    if other_states:
        offset = 0
        for _ in range(MAX_RECONCILE_PAGES):
            page = await orders_api.list_orders_page(
                client, offset=offset, max_results=orders_api.MAX_IDS_PER_CALL, states=other_states
            )
            ids = [str(order["order_id"]) for order in page["orders"]]
            async with runtime.pool.acquire() as connection:
                known = {
                    row["order_id"]
                    for row in await connection.fetch(
                        "SELECT order_id FROM orders WHERE integration_id = $1 AND order_id = ANY($2::text[])",
                        integration["integration_id"],
                        ids,
                    )
                }
            for order in page["orders"]:
                if str(order["order_id"]) not in known:
                    missed[order["order_state"]] = missed.get(order["order_state"], 0) + 1
            offset += len(ids)
            if len(ids) < orders_api.MAX_IDS_PER_CALL or offset >= page["total_count"]:
                break
    report = {
        "missed_orders": missed,
        "states_to_add": sorted(missed),
        "checked_at": datetime.now(UTC).isoformat(),
    }
    async with runtime.pool.acquire() as connection:
        await repository.record_run(
            connection, integration["integration_id"], RECONCILE_JOB, succeeded=True, details=report
        )
    if missed:
        logger.warning(
            "Mirakl has orders the hub never saw, in states outside ordersStatuses: %s",
            missed,
            extra={"integration_id": integration["integration_id"]},
        )
    return report
