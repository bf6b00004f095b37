"""Re-evaluation of waiting orders when something they wait for may have changed, and periodically."""

import logging
from datetime import timedelta

import asyncpg
from crossdock_common.events import EventEnvelope
from crossdock_common.jobs import PeriodicJob
from crossdock_common.service import ServiceRuntime

from crossdock_order_routing.service_layer.evaluation import evaluate_order

logger = logging.getLogger(__name__)

# Orders re-evaluated per triggering event, inside that event's transaction. The
# periodic job picks up whatever a busy account leaves beyond this bound.
MAX_ORDERS_PER_EVENT = 200
MAX_ORDERS_PER_RUN = 500


async def reevaluate(
    runtime: ServiceRuntime,
    connection: asyncpg.Connection,
    *,
    account_id: str,
    where: str,
    arguments: tuple = (),
    cause: EventEnvelope | None = None,
    limit: int = MAX_ORDERS_PER_EVENT,
) -> int:
    """Evaluate the account's unrouted orders that match the SQL condition `where`; return how many routed."""
    order_ids = await connection.fetch(
        f"SELECT o.order_id FROM orders o WHERE o.account_id = $1 AND o.status IN ('pending', 'stalled') AND ({where}) "
        f"ORDER BY o.received_at LIMIT {int(limit)}",
        account_id,
        *arguments,
    )
    routed = 0
    for row in order_ids:
        status = await evaluate_order(runtime, connection, row["order_id"], cause=cause)
        routed += status == "routed"
    return routed


UNRESOLVED = "EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.order_id AND l.master_sku IS NULL)"
STALLED = "o.status = 'stalled'"
STALLED_FOR_STOCK = "o.status = 'stalled' AND o.status_reason = 'insufficient_inventory'"


class PeriodicReevaluation:
    """Re-evaluates stalled orders and orders whose hold window ended, every `reevaluate_interval_seconds`."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self._job: PeriodicJob | None = None

    async def start(self) -> None:
        self._job = PeriodicJob(
            pool=self.runtime.pool,
            name="order_routing.reevaluate",
            work=self.run_once,
            interval=timedelta(seconds=self.runtime.settings.reevaluate_interval_seconds),
        )
        await self._job.start()

    async def stop(self) -> None:
        if self._job is not None:
            await self._job.stop()

    async def run_once(self) -> None:
        """Evaluate each due order in its own transaction, so one failing order does not block the others."""
        async with self.runtime.pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT order_id FROM orders WHERE status = 'stalled' "
                "OR (status = 'pending' AND status_reason = 'hold_window' AND routable_after <= now()) "
                "ORDER BY updated_at LIMIT $1",
                MAX_ORDERS_PER_RUN,
            )
            for row in rows:
                try:
                    async with connection.transaction():
                        await evaluate_order(self.runtime, connection, row["order_id"])
                except Exception:
                    logger.exception("re-evaluating an order failed", extra={"order_id": row["order_id"]})
