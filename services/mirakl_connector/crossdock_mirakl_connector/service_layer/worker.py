"""Background jobs: for each connected integration, run each due job on one replica at a time.

Every job has a minimum interval: Mirakl's call frequencies for polls and
imports (OR11, STO01, STO02, P41, P42, OF24, OF02, multiplied by the
marketplace time scale) and the worker tick for per-event calls (OR21, OR23,
OR24, ST01). `run_exclusive` keeps the interval across replicas and restarts,
and each job keeps its own durable cursor or queue, so a restart resumes where
it stopped.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg
from crossdock_common.http import ClientError
from crossdock_common.jobs import run_exclusive
from crossdock_common.service import ServiceRuntime

from crossdock_mirakl_connector.adapters import repository
from crossdock_mirakl_connector.adapters.mirakl.errors import PageRepeatedError
from crossdock_mirakl_connector.domain.settings import IntegrationSettings
from crossdock_mirakl_connector.service_layer import (
    commands,
    fulfillments,
    inventory,
    offer_push,
    orders,
    product_push,
    products,
)
from crossdock_mirakl_connector.service_layer.integrations import build_client

logger = logging.getLogger(__name__)

# OF21 publishes no numeric maximum; offers and warehouses are read hourly.
PRODUCTS_PULL_SECONDS = 3600
# Mirakl's maximum call frequencies: P41 product import every 15 minutes, P42 status once a minute.
P41_MIN_SECONDS = 15 * 60
P42_MIN_SECONDS = 60
# OF24 offer updates and OF02/OF03 import tracking: at most once a minute each.
OF24_MIN_SECONDS = 60
OF02_MIN_SECONDS = 60


def _scaled(runtime: ServiceRuntime, seconds: float) -> timedelta:
    return timedelta(seconds=seconds * runtime.settings.marketplace_time_scale)


async def run_job(
    runtime: ServiceRuntime, integration: asyncpg.Record, job: str, work: Callable[..., Awaitable[dict]]
) -> dict | None:
    """Run one job of one integration now, recording its status, counts and errors."""
    integration_id = integration["integration_id"]
    client = build_client(runtime, integration)
    try:
        async with client:
            counts = await work(runtime, integration, client)
    except (ClientError, PageRepeatedError) as error:
        logger.warning("%s job failed: %s", job, error, extra={"integration_id": integration_id})
        async with runtime.pool.acquire() as connection:
            await repository.record_run(connection, integration_id, job, succeeded=False)
            await repository.record_error(connection, integration_id, job, str(error), getattr(error, "body", None))
        return None
    async with runtime.pool.acquire() as connection:
        await repository.record_run(connection, integration_id, job, succeeded=True, add_counts=counts or {})
    return counts


async def pull_orders(runtime: ServiceRuntime, integration: asyncpg.Record, client) -> dict:
    """Run one OR11 poll cycle: incremental walk, tracked orders and, when due, the missed-order count."""
    pull = orders.OrderPull(runtime, integration, client)
    counts = await pull.run()
    settings = IntegrationSettings.model_validate(integration["settings"])
    async with runtime.pool.acquire() as connection:
        status = await connection.fetchrow(
            "SELECT details FROM job_status WHERE integration_id = $1 AND job = $2",
            integration["integration_id"],
            orders.RECONCILE_JOB,
        )
    checked = (status["details"] or {}).get("checked_at") if status else None
    due = checked is None or datetime.fromisoformat(checked) + _scaled(
        runtime, settings.reconcileSeconds
    ) <= datetime.now(UTC)
    if due:
        await orders.reconcile(runtime, integration, client)
    return counts


async def process_commands(runtime: ServiceRuntime, integration: asyncpg.Record, client) -> dict:
    return await commands.process_due(runtime, integration, client, orders.OrderPull(runtime, integration, client))


def job_plan(runtime: ServiceRuntime, integration: asyncpg.Record) -> list[tuple[str, Callable, timedelta]]:
    """Return (job, work, minimum interval) for the jobs an integration's settings enable."""
    settings = IntegrationSettings.model_validate(integration["settings"])
    tick = timedelta(seconds=runtime.settings.worker_tick_seconds)
    plan: list[tuple[str, Callable, timedelta]] = []
    if settings.syncOrders:
        plan.append((orders.JOB, pull_orders, _scaled(runtime, settings.ordersPollSeconds)))
    plan.append((commands.JOB, process_commands, tick))
    if settings.syncFulfillments:
        plan.append((fulfillments.JOB, fulfillments.push_due, tick))
    if settings.syncInventory:
        plan.append((inventory.PUSH_JOB, inventory.push, _scaled(runtime, settings.inventoryPushSeconds)))
        plan.append((inventory.TRACK_JOB, inventory.track, _scaled(runtime, settings.importStatusSeconds)))
    if settings.products == "push":
        plan.append((product_push.PUSH_JOB, product_push.push, _scaled(runtime, P41_MIN_SECONDS)))
        plan.append((product_push.TRACK_JOB, product_push.track, _scaled(runtime, P42_MIN_SECONDS)))
        plan.append((offer_push.PUSH_JOB, offer_push.push, _scaled(runtime, OF24_MIN_SECONDS)))
        plan.append((offer_push.TRACK_JOB, offer_push.track, _scaled(runtime, OF02_MIN_SECONDS)))
    if settings.products == "pull" or settings.pullLocations:
        plan.append((products.JOB, products.pull, _scaled(runtime, PRODUCTS_PULL_SECONDS)))
    return plan


async def run_due_jobs(runtime: ServiceRuntime) -> None:
    """Run every due job of every connected integration once."""
    async with runtime.pool.acquire() as connection:
        integrations = await repository.connected_integrations(connection)
    for integration in integrations:
        for job, work, interval in job_plan(runtime, integration):

            async def attempt(job=job, work=work, integration_id=integration["integration_id"]) -> None:
                # A round can take seconds, so each job reads the integration again. A settings
                # change made during the round (ordersAutoAccept switched on, syncOrders off)
                # then applies to the next job, not only to the next round.
                async with runtime.pool.acquire() as connection:
                    current = await repository.load_integration(connection, integration_id)
                if current is None or current["status"] != "connected":
                    return
                if job not in {name for name, _work, _interval in job_plan(runtime, current)}:
                    return
                await run_job(runtime, current, job, work)

            await run_exclusive(
                runtime.pool, f"mirakl.{job}.{integration['integration_id']}", attempt, min_interval=interval
            )


class Worker:
    """Runs `run_due_jobs` every worker tick until stopped."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        if self.runtime.settings.worker_enabled:
            self._task = asyncio.create_task(self._loop(), name="mirakl-worker")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await run_due_jobs(self.runtime)
            except Exception:
                logger.exception("Mirakl worker round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.runtime.settings.worker_tick_seconds)
