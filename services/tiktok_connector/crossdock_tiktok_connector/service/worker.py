"""The background sync round per integration: webhooks, orders, labels, inventory, fulfillments, commands, products."""

import asyncio
import contextlib
import logging

from crossdock_common.jobs import run_exclusive
from crossdock_common.service import ServiceRuntime
from crossdock_common.timescale import scaled_seconds

from crossdock_tiktok_connector.adapters import repository
from crossdock_tiktok_connector.adapters.errors import ReauthorizationRequiredError
from crossdock_tiktok_connector.domain.settings import IntegrationSettings
from crossdock_tiktok_connector.service import commands, fulfillment, inventory, orders, product_push, webhooks
from crossdock_tiktok_connector.service.integrations import Connector

logger = logging.getLogger(__name__)


async def sync_integration(
    connector: Connector, integration_id: str, *, poll_orders: bool = True, wait_seconds: float = 0.0
) -> bool:
    """Run one sync round for one connected integration; one task or replica at a time.

    When another round runs for the integration, wait up to `wait_seconds` for it
    to finish; return whether this round ran.
    """

    async def work() -> None:
        async with connector.pool.acquire() as connection:
            row = await repository.integration(connection, integration_id)
        if row is None or row["status"] != "connected":
            return
        settings = IntegrationSettings.model_validate(row["settings"])
        try:
            await webhooks.process_notifications(connector, integration_id)
            if settings.syncOrders and poll_orders:
                await orders.pull_orders(connector, integration_id)
            if settings.syncFulfillments:
                await fulfillment.arrange_labels(connector, integration_id)
                await _pending_fulfillments(connector, integration_id)
            if settings.syncInventory:
                await inventory.push_inventory(connector, integration_id)
            await _pending_commands(connector, integration_id)
            if settings.products == "push":
                await product_push.push_products(connector, integration_id)
        except ReauthorizationRequiredError:
            logger.error("sync stopped: re-authorize the TikTok Shop app", extra={"integration_id": integration_id})

    deadline = asyncio.get_running_loop().time() + wait_seconds
    while True:
        if await run_exclusive(connector.pool, f"tiktok-sync-{integration_id}", work):
            return True
        if asyncio.get_running_loop().time() >= deadline:
            return False
        await asyncio.sleep(0.1)


async def _pending_fulfillments(connector: Connector, integration_id: str) -> None:
    async with connector.pool.acquire() as connection:
        ids = await connection.fetch(
            "SELECT fulfillment_id FROM fulfillments WHERE integration_id = $1 AND status = 'pending' ORDER BY created_at",
            integration_id,
        )
    for record in ids:
        await fulfillment.push_fulfillment(connector, record["fulfillment_id"])


async def _pending_commands(connector: Connector, integration_id: str) -> None:
    async with connector.pool.acquire() as connection:
        ids = await connection.fetch(
            "SELECT command_id FROM commands WHERE integration_id = $1 AND status = 'pending' ORDER BY created_at",
            integration_id,
        )
    for record in ids:
        await commands.run_command(connector, record["command_id"])


class SyncWorker:
    """Runs a sync round for every connected integration each interval, or sooner when woken."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.connector = Connector(runtime)
        self.interval = scaled_seconds(
            self.connector.settings.sync_interval_seconds, scale=runtime.settings.marketplace_time_scale
        )
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None
        runtime.extras["sync_worker"] = self

    def wake(self) -> None:
        """Start a round soon, e.g. after a webhook or a new fulfillment."""
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="tiktok-sync")

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        polled_at = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            self._wake.clear()
            if self._stopping.is_set():
                return
            poll = loop.time() - polled_at >= self.interval
            if poll:
                polled_at = loop.time()
            try:
                async with self.connector.pool.acquire() as connection:
                    ids = await repository.connected_integration_ids(connection)
                for integration_id in ids:
                    await sync_integration(self.connector, integration_id, poll_orders=poll)
            except Exception:
                logger.exception("sync round failed")


def wake(runtime: ServiceRuntime) -> None:
    worker = runtime.extras.get("sync_worker")
    if worker is not None:
        worker.wake()
