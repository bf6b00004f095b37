"""Background job that drains the queue of changed SKUs and publishes availability that changed."""

import asyncio
import contextlib
import logging

from crossdock_common.service import ServiceRuntime

from crossdock_inventory.service_layer.availability import flush_dirty

logger = logging.getLogger(__name__)


class AvailabilityPublisher:
    """Every `availability_flush_seconds`, recompute queued SKUs in batches until the queue is empty.

    Changes to one SKU between two runs are recomputed once, which is what
    coalesces a burst of stock changes into at most one event per figure.
    """

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self.interval = runtime.settings.availability_flush_seconds
        self.batch = runtime.settings.availability_flush_batch
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="inventory-availability-publisher")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def drain(self) -> tuple[int, int]:
        """Publish until no SKU is queued, and return (SKUs recomputed, events published)."""
        skus = events = 0
        while True:
            async with self.runtime.pool.acquire() as connection, connection.transaction():
                done, published = await flush_dirty(connection, self.runtime, batch=self.batch)
            skus += done
            events += published
            if done < self.batch:
                return skus, events

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.drain()
            except Exception:
                logger.exception("availability publishing failed; retrying on the next run")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.interval)
